package jobs_test

import (
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/jobs"
)

// TestDeliverAlertArgsAreUniquePerAlertAndSink: the same alert to the same
// sink is enqueued once, however often it is asked for and whatever state
// the first job is in; a reminder about the same event, a test alert and
// another sink are different deliveries.
func TestDeliverAlertArgsAreUniquePerAlertAndSink(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	firing := alert.Alert{EventID: 42, EventIDs: []int64{42}, TenantID: 1, State: alert.StateFiring, Kind: alert.KindIncidentOpened}
	reminder := firing
	reminder.Kind, reminder.Reminder = alert.KindReminder, 1
	test1, test2 := alert.TestAlert(epoch), alert.TestAlert(epoch.Add(time.Second))

	steps := []struct {
		name      string
		alert     alert.Alert
		sink      string
		duplicate bool
	}{
		{"the alert", firing, "first", false},
		{"the same alert again", firing, "first", true},
		{"the alert to another sink", firing, "second", false},
		{"a reminder of the same event", reminder, "first", false},
		{"that reminder again", reminder, "first", true},
		{"a test alert (event id 0)", test1, "first", false},
		{"another test alert", test2, "first", false},
	}
	for _, s := range steps {
		tx, err := w.pool.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.client.InsertTx(t.Context(), tx, jobs.NewDeliverAlertArgs(s.alert, s.sink), nil)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if err := tx.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
		if res.UniqueSkippedAsDuplicate != s.duplicate {
			t.Errorf("%s: skipped as duplicate = %v, want %v", s.name, res.UniqueSkippedAsDuplicate, s.duplicate)
		}
		if s.duplicate {
			continue
		}
		// A delivered job still blocks its duplicate.
		if _, err := w.pool.Exec(t.Context(), `UPDATE river_job SET state = 'completed', finalized_at = now() WHERE id = $1`, res.Job.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewDeliverAlertArgsKeysOnTheIdempotencyKey(t *testing.T) {
	t.Parallel()
	a := alert.Alert{EventID: 7, Reminder: 2}
	got := jobs.NewDeliverAlertArgs(a, "ops")
	if got.Key != "7-reminder-2" || got.Sink != "ops" || got.Alert.EventID != 7 {
		t.Errorf("NewDeliverAlertArgs = %+v", got)
	}
}
