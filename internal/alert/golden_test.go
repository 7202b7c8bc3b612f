package alert

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// reminder builds the second reminder of an incident, eight hours on.
func reminder(t *testing.T, opened Event) Alert {
	t.Helper()
	p := Policy{RemindEvery: 4 * time.Hour, PublicURL: "https://grantwatch.example.com"}
	opened.Evidence = opened.Detail
	a, ok := p.Reminder(opened, 2, t0.Add(8*time.Hour))
	if !ok {
		t.Fatal("Reminder made no alert")
	}
	return a
}

// goldenAlerts are the alerts whose payloads are pinned, each built the way
// production builds it: through Plan, Reminder or TestAlert.
func goldenAlerts(t *testing.T) map[string]Alert {
	t.Helper()
	p := Policy{AlertOnA: true, PublicURL: "https://grantwatch.example.com"}
	only := func(events ...Event) Alert {
		t.Helper()
		alerts := p.Plan(events)
		if len(alerts) != 1 {
			t.Fatalf("Plan made %d alerts, want 1", len(alerts))
		}
		return alerts[0]
	}

	revokedWF := event(40, health.EventScopeRevoked, "", 9, health.ScopeReadWorkflows)
	revokedWP := event(41, health.EventScopeRevoked, "", 9, health.ScopeReadParticipants)
	openedB := event(42, health.EventIncidentOpened, "ICD-103-B", 9, health.ScopeReadWorkflows, health.ScopeReadParticipants)
	openedB.IncidentID = 5
	openedB.Detail = "GET /public/api/v1/workflows: 403 FORBIDDEN (request id 7f3a)"

	resolvedB := event(57, health.EventIncidentResolved, "ICD-103-B", 14, health.ScopeReadWorkflows, health.ScopeReadParticipants)
	resolvedB.IncidentID = 5
	resolvedB.At = t0.Add(2*time.Hour + 15*time.Minute)
	resolvedB.OpenedAt = t0
	resolvedB.Evidence = "GET /public/api/v1/workflows: 403 FORBIDDEN (request id 7f3a)"

	scopeOnly := event(61, health.EventScopeRevoked, "", 15, health.ScopeReadAttachments)
	scopeOnly.Capability = health.CapabilityRecords
	scopeOnly.Detail = "token issued without public.records.readAttachments"

	openedA := event(3, health.EventIncidentOpened, "ICD-102-A", 1, health.ScopeReadUsers)
	openedA.IncidentID = 1
	openedA.TenantName = "Beta <Labs> & Co"
	openedA.Detail = "POST /oauth/token: 400 invalid_scope (scim.users.readUsers)"

	return map[string]Alert{
		"b_opened":   only(revokedWF, openedB, revokedWP),
		"b_resolved": only(resolvedB),
		"scope_only": only(scopeOnly),
		"a_opened":   only(openedA),
		"test":       TestAlert(t0),
		"b_reminder": reminder(t, openedB),
	}
}

func TestWebhookBodyGolden(t *testing.T) {
	t.Parallel()
	for name, a := range goldenAlerts(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := WebhookBody(a)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "webhook_"+name, body)
		})
	}
}

func TestSlackBodyGolden(t *testing.T) {
	t.Parallel()
	for name, a := range goldenAlerts(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := SlackBody(a)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "slack_"+name, body)
		})
	}
}

// checkGolden compares a JSON body with testdata/<name>.golden, stored
// indented so that reviews read it; -update rewrites the file.
func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", name, path, pretty.Bytes())
	}
}
