package jobs

import (
	"slices"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/grantwatch/grantwatch/internal/alert"
)

// Queue names.
const (
	QueueSchedule = "schedule"
	QueueVerify   = "verify"
	QueueAlerts   = "alerts"
	// QueueMaintenance holds housekeeping (pruning old checks), kept apart
	// so a long clean-up never delays scheduling.
	QueueMaintenance = "maintenance"
)

// pendingStates are the states in which a job still counts as "in flight"
// for uniqueness: a second job for the same key is skipped while the first is
// waiting, running or about to retry, but a completed, cancelled or discarded
// job does not block the next one.
var pendingStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// ScheduleDueArgs is the leader's periodic fan-out. It has no arguments.
type ScheduleDueArgs struct{}

// Kind implements river.JobArgs.
func (ScheduleDueArgs) Kind() string { return "schedule_due" }

// VerifyTenantArgs asks for one check of one tenant. It carries the tenant id
// only: River stores args in plain text and River UI shows them, so nothing
// sensitive may ever be added here.
type VerifyTenantArgs struct {
	TenantID int64 `json:"tenant_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (VerifyTenantArgs) Kind() string { return "verify_tenant" }

// InsertOpts makes verification unique per tenant while one is in flight.
func (VerifyTenantArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueVerify,
		MaxAttempts: verifyMaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: pendingStates},
	}
}

// DeliverAlertArgs delivers one alert to one sink. The alert is carried in
// full (it holds no secret: codes, messages, scopes, evidence summaries) so
// delivery needs no further reads and a retry sends exactly what the first
// attempt sent. Build it with NewDeliverAlertArgs.
type DeliverAlertArgs struct {
	// Key is the alert's idempotency key (alert.Alert.IdempotencyKey).
	// With Sink it is the job's unique key: an event's alert, each
	// numbered reminder and each test alert is enqueued once per sink,
	// while a reminder never collides with the alert that opened its
	// incident although both name the same event.
	Key   string      `json:"key" river:"unique"`
	Sink  string      `json:"sink" river:"unique"`
	Alert alert.Alert `json:"alert"`
}

// NewDeliverAlertArgs returns the job that delivers a to the named sink.
func NewDeliverAlertArgs(a alert.Alert, sink string) DeliverAlertArgs {
	return DeliverAlertArgs{Key: a.IdempotencyKey(), Sink: sink, Alert: a}
}

// Kind implements river.JobArgs.
func (DeliverAlertArgs) Kind() string { return "deliver_alert" }

// InsertOpts makes an alert unique per (idempotency key, sink) in every
// state, so the same alert can never be enqueued twice, even after it was
// delivered.
func (DeliverAlertArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueAlerts,
		MaxAttempts: deliverMaxAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: append(slices.Clone(pendingStates),
			rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded)},
	}
}

const (
	// verifyMaxAttempts bounds retries of an inconclusive check; the next
	// scheduled check starts afresh after that.
	verifyMaxAttempts = 5
	// deliverMaxAttempts is a backstop: delivery gives up by age
	// (alert.Delivery.GiveUpAfter, 24h by default) long before this.
	deliverMaxAttempts = 200
)
