package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/grantwatch/grantwatch/internal/eventually"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironclad"
	"github.com/grantwatch/grantwatch/internal/jobs"
)

// TestVerifyJobRechecksCredentialsRotatedMidCheck: credentials rotated
// while a verify job is checking the old ones make that check stale (it is
// dropped), and the rotation makes the tenant due at once. The scheduler
// cannot act on that while the job is in flight (the job is unique per
// tenant), so the job itself must check again, with the new credentials,
// rather than complete and leave them unchecked for a full interval.
func TestVerifyJobRechecksCredentialsRotatedMidCheck(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	acme := w.addTenant("acme")
	var calls callLog
	inFlight, release := make(chan struct{}), make(chan struct{})
	// The scheduler's first (and, within this test, only) run enqueues the
	// job.
	client := w.runWorkers(checkFunc(func(_ context.Context, conn ironclad.Connection) (health.Observation, error) {
		calls.add(conn.Generation)
		if conn.Generation == acme.Generation {
			close(inFlight)
			<-release
		}
		return healthy(conn, w.clock.Now()), nil
	}), nil)

	select {
	case <-inFlight:
	case <-time.After(15 * time.Second):
		t.Fatal("the verify job never checked the tenant")
	}
	w.rotate("acme")
	// A scheduler pass while the job is in flight finds the tenant due but
	// its job pending, and moves its next check a full interval on.
	w.clock.Set(epoch.Add(time.Second))
	if err := w.scheduleWorker(client, nil).Work(t.Context(), &river.Job[jobs.ScheduleDueArgs]{}); err != nil {
		t.Fatal(err)
	}
	close(release)

	eventually.True(t, 15*time.Second, "the job to check the rotated credentials and complete", func() (bool, string) {
		j := w.verifyJobOf(acme.ID)
		return j.State == "completed" && w.checksOf(acme.ID, true) == 1,
			fmt.Sprintf("generations checked %v, job %+v, %d conclusive checks", calls.get(), j, w.checksOf(acme.ID, true))
	})
	if got, want := calls.get(), []int64{acme.Generation, acme.Generation + 1}; !slices.Equal(got, want) {
		t.Errorf("generations checked %v, want %v", got, want)
	}
	if j := w.verifyJobOf(acme.ID); j.Jobs != 1 || j.Attempt != 1 || len(j.Errors) != 0 {
		t.Errorf("job %+v: want one job, completed on its first attempt without errors", j)
	}
}

// TestVerifyJobTimeoutRetries: a check that outlives the job's timeout ends
// with the context's error, which is retried (it is not evidence, nor a
// reason to give up), and leaves no check behind.
func TestVerifyJobTimeoutRetries(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	acme := w.addTenant("acme")
	w.runWorkers(checkFunc(func(ctx context.Context, conn ironclad.Connection) (health.Observation, error) {
		<-ctx.Done() // Ironclad never answers; ironclad.Check then returns the context's error
		return health.Observation{}, fmt.Errorf("checking Ironclad client %q: %w", conn.ClientID, ctx.Err())
	}), func(c *jobs.Config) { c.JobTimeout, c.RescueAfter = 300*time.Millisecond, 10*time.Second })

	eventually.True(t, 15*time.Second, "the timed-out job to wait for its retry", func() (bool, string) {
		j := w.verifyJobOf(acme.ID)
		return j.State == "retryable" && len(j.Errors) == 1, fmt.Sprintf("job %+v", j)
	})
	j := w.verifyJobOf(acme.ID)
	if j.Attempt != 1 || !strings.Contains(j.Errors[0], context.DeadlineExceeded.Error()) {
		t.Errorf("job %+v: want attempt 1 failed with the deadline", j)
	}
	if n := w.checksOf(acme.ID, true) + w.checksOf(acme.ID, false); n != 0 {
		t.Errorf("%d checks recorded by a check that timed out", n)
	}
}

// TestVerifyTimeoutInsideApplyLeavesNothing: a deadline that strikes inside
// the apply transaction, after the check, its events and its alert jobs were
// written, rolls all of them back.
func TestVerifyTimeoutInsideApplyLeavesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	acme := w.addTenant("acme")
	w.verify(acme)

	w.checker.setRevoked(health.ScopeReadUsers)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := w.verifier.Verify(ctx, acme.ID, jobs.VerifyOptions{
		AllowPaused: true,
		InTx: func(ctx context.Context, _ pgx.Tx, r *jobs.Result) error {
			if len(r.Alerts) == 0 || len(r.Applied.Events) == 0 {
				return errors.New("the revocation should have written events and enqueued alerts by now")
			}
			<-ctx.Done()
			return ctx.Err()
		},
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify = %v, want the deadline", err)
	}
	if n := w.checksOf(acme.ID, true); n != 1 {
		t.Errorf("%d conclusive checks, want only the first", n)
	}
	if got := w.deliveries(); len(got) != 0 {
		t.Errorf("alert jobs survived the rollback: %+v", got)
	}
	st, err := w.store.Tenant(t.Context(), acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	var incidents int
	if err := w.pool.QueryRow(t.Context(), `SELECT count(*) FROM incidents WHERE tenant_id = $1`, st.ID).Scan(&incidents); err != nil {
		t.Fatal(err)
	}
	if incidents != 0 {
		t.Errorf("%d incidents survived the rollback", incidents)
	}
}

// TestInconclusiveVerifyIsDiscardedThenRescheduled: an Ironclad outage
// records an inconclusive check per attempt, retries with backoff, and after
// the fifth attempt the job is discarded; a discarded job does not block the
// tenant's next scheduled check.
func TestInconclusiveVerifyIsDiscardedThenRescheduled(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	acme := w.addTenant("acme")
	client := w.runWorkers(checkFunc(func(_ context.Context, conn ironclad.Connection) (health.Observation, error) {
		return unanswered(conn, w.clock.Now(), 503, 0), nil
	}), func(c *jobs.Config) { c.VerifyRetryBase = 20 * time.Millisecond })
	w.enqueueVerify(client, acme.ID)

	eventually.True(t, 20*time.Second, "the job to be discarded", func() (bool, string) {
		j := w.verifyJobOf(acme.ID)
		return j.State == "discarded", fmt.Sprintf("job %+v", j)
	})
	if j := w.verifyJobOf(acme.ID); j.Attempt != 5 || len(j.Errors) != 5 || j.Jobs != 1 {
		t.Errorf("job %+v: want one job discarded after 5 failed attempts", j)
	}
	if n := w.checksOf(acme.ID, false); n != 5 {
		t.Errorf("%d inconclusive checks, want one per attempt (5)", n)
	}

	tenant, err := w.store.Tenant(t.Context(), acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Set(tenant.NextCheckAt)
	sched := w.scheduleWorker(client, nil)
	if err := sched.Work(t.Context(), &river.Job[jobs.ScheduleDueArgs]{}); err != nil {
		t.Fatal(err)
	}
	if j := w.verifyJobOf(acme.ID); j.Jobs != 2 {
		t.Errorf("after the discard the scheduler left %d verify jobs, want a new one (2)", j.Jobs)
	}
}

// TestRateLimitedVerifySnoozesAndStaysUnique: a 429 snoozes the job for the
// Retry-After (no attempt used), and while it waits the scheduler adds no
// second job for the tenant, nor counts one as scheduled.
func TestRateLimitedVerifySnoozesAndStaysUnique(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	acme := w.addTenant("acme")
	client := w.runWorkers(checkFunc(func(_ context.Context, conn ironclad.Connection) (health.Observation, error) {
		return unanswered(conn, w.clock.Now(), 429, 10*time.Minute), nil
	}), nil)
	w.enqueueVerify(client, acme.ID)

	eventually.True(t, 15*time.Second, "the job to be snoozed", func() (bool, string) {
		j := w.verifyJobOf(acme.ID)
		return j.State == "scheduled", fmt.Sprintf("job %+v", j)
	})
	var wait time.Duration
	if err := w.pool.QueryRow(t.Context(), `SELECT scheduled_at - now() FROM river_job WHERE kind = 'verify_tenant'`).Scan(&wait); err != nil {
		t.Fatal(err)
	}
	if wait < 9*time.Minute || wait > 11*time.Minute {
		t.Errorf("snoozed for %s, want about the Retry-After (10m)", wait)
	}
	if j := w.verifyJobOf(acme.ID); j.Attempt != 0 || len(j.Errors) != 0 {
		t.Errorf("job %+v: a snooze must use no attempt", j)
	}

	reg := prometheus.NewRegistry()
	w.clock.Set(epoch.Add(time.Hour)) // the tenant is due again
	if err := w.scheduleWorker(client, jobs.NewMetrics(reg)).Work(t.Context(), &river.Job[jobs.ScheduleDueArgs]{}); err != nil {
		t.Fatal(err)
	}
	if j := w.verifyJobOf(acme.ID); j.Jobs != 1 || j.State != "scheduled" {
		t.Errorf("job %+v: the scheduler must not add a second job while one is snoozed", j)
	}
	if n := counterValue(t, reg, "grantwatch_tenants_scheduled_total"); n != 0 {
		t.Errorf("the scheduler counted %v jobs scheduled, want 0 (the tenant's job was already pending)", n)
	}
	tenant, err := w.store.Tenant(t.Context(), acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !tenant.NextCheckAt.After(w.clock.Now()) {
		t.Errorf("next check at %s, want moved on past %s", tenant.NextCheckAt, w.clock.Now())
	}
}

// scheduleWorker is a schedule_due worker on the world's database that
// enqueues through client.
func (w *world) scheduleWorker(client *river.Client[pgx.Tx], m *jobs.Metrics) *jobs.ScheduleWorker {
	return &jobs.ScheduleWorker{Store: w.store, Insert: client, Pool: w.pool, BatchSize: 100, Now: w.clock.Now, Metrics: m}
}

// counterValue reads a counter without labels from reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no counter %s", name)
	return 0
}
