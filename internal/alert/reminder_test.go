package alert

import (
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

func TestReminder(t *testing.T) {
	t.Parallel()
	opened := event(12, health.EventIncidentOpened, "ICD-103-B", 4, health.ScopeReadWorkflows)
	opened.IncidentID = 3
	openedA := event(13, health.EventIncidentOpened, "ICD-103-A", 4)
	resolved := event(14, health.EventIncidentResolved, "ICD-103-B", 5)
	on := Policy{RemindEvery: 4 * time.Hour}
	now := t0.Add(9 * time.Hour)

	tests := []struct {
		name   string
		policy Policy
		event  Event
		n      int
		want   bool
	}{
		{"off by default", Policy{}, opened, 1, false},
		{"the first", on, opened, 1, true},
		{"a later one keeps its number", on, opened, 7, true},
		{"not numbered", on, opened, 0, false},
		{"never for A incidents", Policy{RemindEvery: time.Hour, AlertOnA: true}, openedA, 1, false},
		{"only for opening events", on, resolved, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, ok := tt.policy.Reminder(tt.event, tt.n, now)
			if ok != tt.want {
				t.Fatalf("Reminder ok = %v, want %v", ok, tt.want)
			}
			if !ok {
				return
			}
			if a.Reminder != tt.n {
				t.Errorf("reminder number = %d, want %d", a.Reminder, tt.n)
			}
			if a.Kind != KindReminder || a.State != StateFiring || a.Severity != health.SeverityCritical {
				t.Errorf("reminder kind/state/severity = %s/%s/%s", a.Kind, a.State, a.Severity)
			}
			if a.IncidentID != 3 || !a.OpenedAt.Equal(t0) || !a.OccurredAt.Equal(now) || a.CheckID != 0 {
				t.Errorf("reminder incident %d check %d opened %v occurred %v", a.IncidentID, a.CheckID, a.OpenedAt, a.OccurredAt)
			}
			if a.IdempotencyKey() == "12" {
				t.Errorf("reminder shares the opening alert's idempotency key %q", a.IdempotencyKey())
			}
		})
	}
}

// The key depends on the number alone, not on when the reminder was made:
// a retried reminder is recognised, and the next one is not mistaken for it.
func TestReminderKeyFollowsTheNumber(t *testing.T) {
	t.Parallel()
	p := Policy{RemindEvery: time.Hour}
	opened := event(12, health.EventIncidentOpened, "ICD-102-B", 4)
	first, _ := p.Reminder(opened, 1, t0.Add(time.Hour+time.Minute))
	retried, _ := p.Reminder(opened, 1, t0.Add(3*time.Hour))
	next, _ := p.Reminder(opened, 2, t0.Add(time.Hour+time.Minute))
	if first.IdempotencyKey() != retried.IdempotencyKey() {
		t.Errorf("keys of one reminder differ: %q, %q", first.IdempotencyKey(), retried.IdempotencyKey())
	}
	if first.IdempotencyKey() == next.IdempotencyKey() {
		t.Errorf("keys of consecutive reminders are both %q", next.IdempotencyKey())
	}
}
