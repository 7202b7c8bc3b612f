package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// remindScanEvery is how often the leader looks for reminders due. A
// reminder goes out at most this late; the shortest reminder interval
// (alert.MinRemindEvery) is no shorter, so none is ever skipped.
const remindScanEvery = time.Minute

// remindBatchSize bounds the incidents claimed per transaction.
const remindBatchSize = 500

// RemindArgs is the leader's periodic scan for B incidents still open that
// are due a reminder. It has no arguments.
type RemindArgs struct{}

// Kind implements river.JobArgs.
func (RemindArgs) Kind() string { return "remind_open_incidents" }

// RemindWorker works remind_open_incidents jobs: every open B incident whose
// last alert (its opening, or its last reminder) is at least
// Policy.RemindEvery old gets its next numbered reminder, one
// deliver_alert job per sink.
type RemindWorker struct {
	river.WorkerDefaults[RemindArgs]
	Store  *postgres.Store
	Pool   Beginner
	Insert BatchInserter // set after the client is built
	// Policy builds the reminders; its RemindEvery zero turns them off.
	Policy alert.Policy
	// Sinks are the names of the configured sinks.
	Sinks     []string
	BatchSize int // incidents per transaction; remindBatchSize when zero
	Now       func() time.Time
	Log       zerolog.Logger
}

// Work claims due reminders batch by batch. Each batch counts and stamps
// its incidents' reminders and enqueues their deliveries in one
// transaction, so a crash repeats or loses none: the store's count moves
// only if the jobs commit, and the jobs are unique per reminder number and
// sink besides.
func (w *RemindWorker) Work(ctx context.Context, _ *river.Job[RemindArgs]) error {
	if w.Policy.RemindEvery <= 0 || len(w.Sinks) == 0 {
		return nil
	}
	batch := w.BatchSize
	if batch <= 0 {
		batch = remindBatchSize
	}
	for {
		n, err := w.remindBatch(ctx, batch)
		if err != nil {
			return err
		}
		if n < batch {
			return nil
		}
	}
}

// remindBatch sends one batch of reminders and returns how many incidents
// it claimed.
func (w *RemindWorker) remindBatch(ctx context.Context, batch int) (int, error) {
	tx, err := w.Pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("beginning the reminder transaction: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	now := w.Now()
	due, err := w.Store.ClaimReminders(ctx, tx, now, w.Policy.RemindEvery, batch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	params := make([]river.InsertManyParams, 0, len(due)*len(w.Sinks))
	for _, r := range due {
		a, ok := w.Policy.Reminder(reminderEvent(r), r.Number, now)
		if !ok {
			// Only an incident whose opening event was pruned gets here:
			// without that event's id no key could tell its reminders apart.
			w.Log.Warn().Int64("incident_id", r.Incident.ID).Str("code", string(r.Incident.Code)).
				Msg("open incident has no opening event; reminder skipped")
			continue
		}
		for _, sink := range w.Sinks {
			params = append(params, river.InsertManyParams{Args: NewDeliverAlertArgs(a, sink)})
		}
	}
	if len(params) > 0 {
		if _, err := w.Insert.InsertManyTx(ctx, tx, params); err != nil {
			return 0, fmt.Errorf("enqueueing %d reminder deliveries: %w", len(params), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("committing %d reminders: %w", len(due), err)
	}
	w.Log.Info().Int("incidents", len(due)).Int("deliveries", len(params)).Msg("reminders enqueued")
	return len(due), nil
}

// reminderEvent is the opening event of a reminded incident as the alert
// policy reads it, with the incident's current scopes and evidence (they
// can change while it stays open).
func reminderEvent(r postgres.DueReminder) alert.Event {
	ev := r.Opened.Event
	ev.Scopes = r.Incident.Scopes
	return alert.Event{
		ID:         r.Opened.ID,
		TenantID:   r.Incident.TenantID,
		Tenant:     r.Incident.TenantExternalID,
		TenantName: r.TenantName,
		IncidentID: r.Incident.ID,
		OpenedAt:   r.Incident.OpenedAt,
		Evidence:   r.Incident.Evidence,
		Event:      ev,
	}
}
