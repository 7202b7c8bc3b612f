package alert

import (
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

// Reminder returns the reminder due at now for a B incident that is still
// open, given the event that opened it, and false when none is due:
// reminders are off, the incident is not B, or less than one interval has
// passed since it opened.
//
// Reminders are numbered by the intervals elapsed since the incident opened,
// so the same reminder asked for twice (a retried job, two replicas) gets the
// same number and idempotency key, and receivers drop the copy.
func (p Policy) Reminder(opened Event, now time.Time) (Alert, bool) {
	if p.RemindEvery <= 0 || opened.Kind != health.EventIncidentOpened || opened.Code.Kind() != health.KindB {
		return Alert{}, false
	}
	n := int(now.Sub(opened.openedAt()) / p.RemindEvery)
	if n < 1 {
		return Alert{}, false
	}
	a, _ := p.incidentAlert(opened, StateFiring, KindReminder)
	a.Reminder = n
	a.CheckID = 0
	a.OccurredAt = now
	a.Title = "Still open: " + a.Title
	return a, true
}

// TestAlert returns an alert that exercises a sink end to end without
// describing any tenant. Receivers can tell it apart by Test and Kind.
func TestAlert(now time.Time) Alert {
	return Alert{
		Severity:   health.SeverityInfo,
		State:      StateFiring,
		Kind:       KindTest,
		Title:      "grantwatch test alert",
		Message:    "This is a test alert from grantwatch. It shows that this destination receives grantwatch's alerts; no action is needed.",
		OccurredAt: now,
		Test:       true,
	}
}
