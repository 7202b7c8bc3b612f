package alert

import (
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

// Reminder returns reminder number n (1 for the first) about a B incident
// that is still open, given the event that opened it, and false when none
// is wanted: reminders are off, the incident is not B, or n is not positive.
// now is when the reminder is made.
//
// The caller decides when a reminder is due and keeps the count (the store
// does, with the incident), so that the same reminder asked for twice (a
// retried job, a replica restarted mid-way) carries the same number and
// idempotency key, and a changed interval can never make a new reminder
// reuse an old number.
func (p Policy) Reminder(opened Event, n int, now time.Time) (Alert, bool) {
	if p.RemindEvery <= 0 || n < 1 || opened.Kind != health.EventIncidentOpened || opened.Code.Kind() != health.KindB {
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
