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
	every := 4 * time.Hour

	tests := []struct {
		name   string
		policy Policy
		event  Event
		now    time.Time
		want   int // reminder number; 0 for none
	}{
		{"off by default", Policy{}, opened, t0.Add(100 * time.Hour), 0},
		{"not yet due", Policy{RemindEvery: every}, opened, t0.Add(every - time.Second), 0},
		{"first when due", Policy{RemindEvery: every}, opened, t0.Add(every), 1},
		{"numbered by intervals elapsed", Policy{RemindEvery: every}, opened, t0.Add(3*every + time.Minute), 3},
		{"never for A incidents", Policy{RemindEvery: every, AlertOnA: true}, openedA, t0.Add(every), 0},
		{"only for opening events", Policy{RemindEvery: every}, resolved, t0.Add(every), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, ok := tt.policy.Reminder(tt.event, tt.now)
			if ok != (tt.want > 0) || a.Reminder != tt.want {
				t.Fatalf("Reminder = (reminder %d, %v), want reminder %d", a.Reminder, ok, tt.want)
			}
			if !ok {
				return
			}
			if a.Kind != KindReminder || a.State != StateFiring || a.Severity != health.SeverityCritical {
				t.Errorf("reminder kind/state/severity = %s/%s/%s", a.Kind, a.State, a.Severity)
			}
			if a.IncidentID != 3 || !a.OpenedAt.Equal(t0) || !a.OccurredAt.Equal(tt.now) {
				t.Errorf("reminder incident %d opened %v occurred %v", a.IncidentID, a.OpenedAt, a.OccurredAt)
			}
			if a.IdempotencyKey() == "12" {
				t.Errorf("reminder shares the opening alert's idempotency key %q", a.IdempotencyKey())
			}
		})
	}
}

func TestReminderKeyIsStableWithinAnInterval(t *testing.T) {
	t.Parallel()
	p := Policy{RemindEvery: time.Hour}
	opened := event(12, health.EventIncidentOpened, "ICD-102-B", 4)
	first, _ := p.Reminder(opened, t0.Add(time.Hour+time.Minute))
	retried, _ := p.Reminder(opened, t0.Add(time.Hour+30*time.Minute))
	next, _ := p.Reminder(opened, t0.Add(2*time.Hour))
	if first.IdempotencyKey() != retried.IdempotencyKey() {
		t.Errorf("keys within one interval differ: %q, %q", first.IdempotencyKey(), retried.IdempotencyKey())
	}
	if first.IdempotencyKey() == next.IdempotencyKey() {
		t.Errorf("keys of consecutive reminders are both %q", next.IdempotencyKey())
	}
}
