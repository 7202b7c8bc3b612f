package jobs

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// Config wires the River client. Every replica builds the same one: every
// worker and the periodic job are registered everywhere, so whichever replica
// is elected leader schedules, and any replica can work any job.
type Config struct {
	Pool     *pgxpool.Pool
	Store    *postgres.Store
	Verifier *Verifier // NewClient sets its Insert, Sinks and Metrics
	Sinks    []alert.Sink

	VerifyWorkers int           // verify_tenant jobs at once on this replica
	AlertWorkers  int           // deliver_alert jobs at once on this replica
	ScheduleEvery time.Duration // how often the leader enqueues schedule_due
	BatchSize     int           // tenants claimed per schedule transaction (default 2000)
	JobTimeout    time.Duration // one verify_tenant job
	// VerifyRetryBase is the first wait before an inconclusive check is
	// retried; each further retry waits twice as long (default 30s).
	VerifyRetryBase time.Duration
	// RescueAfter is when River considers a running job stuck (its replica
	// died) and makes it available again. It must exceed JobTimeout.
	RescueAfter time.Duration
	// AlertDelivery tunes delivery: each attempt's timeout (which the
	// Sinks' HTTP client should also carry), retries and giving up. Zero
	// fields take alert.DefaultDelivery's values.
	AlertDelivery   alert.Delivery
	SoftStopTimeout time.Duration // on Stop, how long running jobs may finish before being cancelled
	// AlertsOnly works only the alerts queue and schedules nothing (the
	// demo's delivery-only client).
	AlertsOnly bool
	// CheckRetention is how long checks (the raw evidence) are kept; the
	// leader prunes older ones hourly. Zero keeps them forever. Incidents
	// and events are always kept.
	CheckRetention time.Duration
	// Metrics, if not nil, receive the jobs' counters.
	Metrics *Metrics
	Now     func() time.Time
	Log     zerolog.Logger
}

// NewClient builds the worker's River client. With insertOnly it has no
// queues and no periodic jobs: `worker check` uses that to enqueue alerts.
func NewClient(cfg Config, insertOnly bool) (*river.Client[pgx.Tx], error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 2000
	}
	cfg.AlertDelivery = cfg.AlertDelivery.WithDefaults()
	if cfg.RescueAfter <= cfg.JobTimeout {
		return nil, fmt.Errorf("the stuck-job rescue (%s) must be longer than the job timeout (%s)", cfg.RescueAfter, cfg.JobTimeout)
	}
	sinks := make(map[string]alert.Sink, len(cfg.Sinks))
	names := make([]string, 0, len(cfg.Sinks))
	for _, s := range cfg.Sinks {
		sinks[s.Name()] = s
		names = append(names, s.Name())
	}
	cfg.Verifier.Sinks = names
	cfg.Verifier.Metrics = cfg.Metrics

	schedule := &ScheduleWorker{Store: cfg.Store, Pool: cfg.Pool, BatchSize: cfg.BatchSize, Now: cfg.Now, Metrics: cfg.Metrics}
	workers := river.NewWorkers()
	river.AddWorker(workers, schedule)
	river.AddWorker(workers, &VerifyWorker{Verifier: cfg.Verifier, JobTimeout: cfg.JobTimeout, RetryBase: cfg.VerifyRetryBase})
	river.AddWorker(workers, &DeliverWorker{
		Store: cfg.Store, Pool: cfg.Pool, Sinks: sinks, Delivery: cfg.AlertDelivery,
		// The HTTP client's timeout ends a slow attempt first; this is
		// the backstop, and tells River's rescuer how long an attempt
		// may legitimately run.
		JobTimeout: cfg.AlertDelivery.Timeout + 5*time.Second, Now: cfg.Now, Log: cfg.Log,
		Metrics: cfg.Metrics,
	})
	river.AddWorker(workers, &PruneWorker{Store: cfg.Store, Retention: cfg.CheckRetention, Now: cfg.Now, Log: cfg.Log})
	remind := &RemindWorker{
		Store: cfg.Store, Pool: cfg.Pool, Policy: cfg.Verifier.Alerts, Sinks: names, Now: cfg.Now, Log: cfg.Log,
	}
	river.AddWorker(workers, remind)

	rc := &river.Config{
		Logger:               slog.New(zerolog.NewSlogHandler(cfg.Log.With().Str("component", "river").Logger())),
		Workers:              workers,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		SoftStopTimeout:      cfg.SoftStopTimeout,
	}
	switch {
	case insertOnly:
		// No queues and no periodic jobs: the client only inserts.
	case cfg.AlertsOnly:
		rc.Queues = map[string]river.QueueConfig{QueueAlerts: {MaxWorkers: max(cfg.AlertWorkers, 1)}}
		// A delivery-only client (the demo, which may share a database with
		// real replicas) must never become the leader: it enqueues none of
		// the periodic jobs, so scheduling would stop while it led.
		rc.LeaderElectionDisabled = true
	default:
		rc.Queues = map[string]river.QueueConfig{
			QueueSchedule:    {MaxWorkers: 1},
			QueueMaintenance: {MaxWorkers: 1},
			QueueVerify:      {MaxWorkers: cfg.VerifyWorkers},
			QueueAlerts:      {MaxWorkers: cfg.AlertWorkers},
		}
		rc.PeriodicJobs = []*river.PeriodicJob{leaderPeriodic(ScheduleDueArgs{}, QueueSchedule, cfg.ScheduleEvery)}
		if cfg.Verifier.Alerts.RemindEvery > 0 {
			rc.PeriodicJobs = append(rc.PeriodicJobs, leaderPeriodic(RemindArgs{}, QueueSchedule, remindScanEvery))
		}
		if cfg.CheckRetention > 0 {
			rc.PeriodicJobs = append(rc.PeriodicJobs, leaderPeriodic(PruneChecksArgs{}, QueueMaintenance, pruneEvery))
		}
	}
	client, err := river.NewClient(riverpgxv5.New(cfg.Pool), rc)
	if err != nil {
		return nil, fmt.Errorf("building the River client: %w", err)
	}
	schedule.Insert = client
	remind.Insert = client
	cfg.Verifier.Insert = client
	return client, nil
}

// leaderPeriodic is a periodic job the leader enqueues every period, and at
// once when it is elected. It is registered on every replica, so that
// whichever is elected runs it, and is unique per period, so that a new
// leader's first run and the old leader's last tick make one job, not two.
// Its id is its kind.
func leaderPeriodic(args river.JobArgs, queue string, every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(
		river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return args, &river.InsertOpts{Queue: queue, UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		},
		&river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true},
	)
}
