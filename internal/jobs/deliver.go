package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// DeliverWorker works deliver_alert jobs: one alert to one sink.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverAlertArgs]
	Store *postgres.Store
	Pool  Beginner
	Sinks map[string]alert.Sink
	// Delivery holds the retry schedule (RetryBase doubling up to
	// RetryCap) and how long delivery keeps trying (GiveUpAfter); then the
	// failure becomes an alert_failed event operators can query. Zero
	// fields take alert.DefaultDelivery's values.
	Delivery   alert.Delivery
	JobTimeout time.Duration
	Now        func() time.Time
	Log        zerolog.Logger
	Metrics    *Metrics
}

// Timeout implements river.Worker.
func (w *DeliverWorker) Timeout(*river.Job[DeliverAlertArgs]) time.Duration { return w.JobTimeout }

// NextRetry backs off exponentially from RetryBase to at most RetryCap,
// with jitter so that alerts failing together do not retry in step.
func (w *DeliverWorker) NextRetry(job *river.Job[DeliverAlertArgs]) time.Time {
	d := w.Delivery.WithDefaults()
	return time.Now().Add(backoff(job.Attempt, d.RetryBase, d.RetryCap))
}

// Work sends the alert. Success records alert_delivered and completes the
// job in one transaction. A permanent refusal (4xx other than 408/429), or
// retries past GiveUpAfter, record alert_failed and cancel. A receiver that
// asks for time (Retry-After on 429 or 503) gets it: the job is snoozed that
// long. Anything else is retried with backoff, a sink this replica does not
// know included: during a rolling deploy replicas may disagree on the sinks,
// and a replica configured with it (or this one, once it is) will deliver.
//
// A recorded failure and the job's cancellation are two steps: a crash
// between them makes the rescued job try once more, which may record a
// second alert_failed. Failures are rare and that window small, and the
// alternative (completing the job as though delivered) would hide the
// failure from River UI.
//
// Delivery is at least once: a crash after the receiver accepted the alert
// but before the completion committed makes the rescued job send it again,
// with the same Idempotency-Key, on which receivers de-duplicate.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverAlertArgs]) error {
	a := job.Args.Alert
	var err error
	if sink, ok := w.Sinks[job.Args.Sink]; ok {
		err = sink.Send(ctx, a)
	} else {
		err = fmt.Errorf("sink %q is not configured on this replica", job.Args.Sink)
	}
	if err == nil {
		w.Metrics.observeDelivery("delivered")
		return w.record(ctx, job, health.EventAlertDelivered, nil, true)
	}
	w.Log.Warn().Err(err).Str("key", job.Args.Key).Str("sink", job.Args.Sink).
		Int("attempt", job.Attempt).Msg("alert delivery failed")
	if alert.IsPermanent(err) || w.Now().Sub(job.CreatedAt) >= w.Delivery.WithDefaults().GiveUpAfter {
		w.Metrics.observeDelivery("failed")
		return w.fail(ctx, job, err)
	}
	w.Metrics.observeDelivery("retry")
	if de, ok := errors.AsType[*alert.DeliveryError](err); ok && de.RetryAfter > 0 {
		return river.JobSnooze(de.RetryAfter)
	}
	return err
}

func (w *DeliverWorker) fail(ctx context.Context, job *river.Job[DeliverAlertArgs], cause error) error {
	if err := w.record(ctx, job, health.EventAlertFailed, cause, false); err != nil {
		return err
	}
	return river.JobCancel(cause)
}

// record appends an alert_delivered/alert_failed event for the alert's
// tenant; on success it also completes the job in the same transaction.
func (w *DeliverWorker) record(ctx context.Context, job *river.Job[DeliverAlertArgs], kind health.EventKind, cause error, complete bool) error {
	a := job.Args.Alert
	if a.Test || a.TenantID == 0 {
		// Test alerts belong to no tenant; River's job row is their record.
		return nil
	}
	tx, err := w.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("beginning the transaction that records %s: %w", kind, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	detail := map[string]any{
		"sink": job.Args.Sink, "idempotency_key": a.IdempotencyKey(), "alert_event_id": a.EventID,
		"kind": a.Kind, "state": a.State, "attempts": job.Attempt,
	}
	if a.Reminder > 0 {
		detail["reminder"] = a.Reminder
	}
	sev := health.SeverityInfo
	if cause != nil {
		detail["error"] = cause.Error()
		sev = health.SeverityWarning
	}
	ev := health.Event{Kind: kind, At: w.Now(), Code: a.Code, Scopes: a.Scopes, Severity: sev}
	if _, err := w.Store.RecordEvent(ctx, tx, a.TenantID, ev, detail); err != nil && !errors.Is(err, postgres.ErrNotFound) {
		return fmt.Errorf("recording %s for alert %s: %w", kind, a.IdempotencyKey(), err)
	}
	if complete {
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
			return fmt.Errorf("completing the delivery job: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("committing %s for alert %s: %w", kind, a.IdempotencyKey(), err)
	}
	return nil
}
