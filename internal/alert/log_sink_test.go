package alert

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestLogSink(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := zerolog.New(&logs)
	// The log sink sits beside a webhook whose secret must never reach the
	// log, whatever the sinks write at start-up or per alert.
	sinks, err := NewSinks([]SinkConfig{{Name: "log", Type: SinkLog}, webhookConfig("https://a.example.com" + slackPath)}, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	logs.Reset()

	golden := goldenAlerts(t)
	for _, name := range []string{"b_opened", "b_resolved", "scope_only", "test"} {
		if err := sinks[0].Send(t.Context(), golden[name]); err != nil {
			t.Fatalf("Send(%s): %v", name, err)
		}
	}

	var lines []map[string]any
	sc := bufio.NewScanner(&logs)
	for sc.Scan() {
		if strings.Contains(sc.Text(), testSecret) || strings.Contains(sc.Text(), slackToken) {
			t.Errorf("log line contains a credential: %s", sc.Text())
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		lines = append(lines, m)
	}
	if len(lines) != 4 {
		t.Fatalf("got %d log lines, want one per alert (4)", len(lines))
	}
	for i, want := range []struct{ level, state, key, code string }{
		{"warn", "firing", "42", "ICD-103-B"},
		{"info", "resolved", "57", "ICD-103-B"},
		{"warn", "firing", "61", ""},
		{"info", "firing", "test-1741944413000000000", ""},
	} {
		l := lines[i]
		if l["level"] != want.level || l["state"] != want.state || l["idempotency_key"] != want.key || l["code"] != want.code {
			t.Errorf("line %d = level %v state %v key %v code %v, want %+v", i, l["level"], l["state"], l["idempotency_key"], l["code"], want)
		}
		if l["sink"] != "log" || l["message"] == "" || l["tenant"] == nil {
			t.Errorf("line %d lacks sink, message or tenant: %v", i, l)
		}
	}
	if ids, _ := lines[0]["event_ids"].([]any); len(ids) != 3 {
		t.Errorf("first line's event_ids = %v, want the three folded events", lines[0]["event_ids"])
	}
}
