package cli

import (
	"strings"
	"testing"
)

// TestDemo runs `worker demo` on a test database and checks that the story
// it tells is the one promised: A codes at once, a B code suspected then
// opened with a signed alert, resolved with another, then the history.
func TestDemo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// Only the database comes from the test: the demo makes its own key,
	// simulator and alert receiver.
	env := map[string]string{"DATABASE_URL": h.dbURL}
	var out strings.Builder
	code := Main(t.Context(), []string{"demo"}, IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out}, func(k string) string { return env[k] })
	story := out.String()
	if code != exitOK {
		t.Fatalf("worker demo: exit %d\n%s", code, story)
	}
	steps := []string{
		"OPEN       ICD-100-A",
		"OPEN       ICD-102-A",
		"SUSPECTED  ICD-102-B",
		"OPEN       ICD-102-B",
		"webhook received (signature verified",
		"FIRING critical ICD-102-B",
		"RESOLVED critical ICD-102-B",
		"$ worker history",
		"Done in",
	}
	at := 0
	for _, step := range steps {
		i := strings.Index(story[at:], step)
		if i < 0 {
			t.Fatalf("the story lacks %q after position %d:\n%s", step, at, story)
		}
		at += i + len(step)
	}
	if strings.Count(story, "webhook received") != 2 {
		t.Errorf("want exactly two alerts (firing, resolved):\n%s", story)
	}
}
