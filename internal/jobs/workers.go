package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/grantwatch/grantwatch/internal/ironclad"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// VerifyWorker works verify_tenant jobs.
type VerifyWorker struct {
	river.WorkerDefaults[VerifyTenantArgs]
	Verifier *Verifier
	// JobTimeout bounds one job; it must stay below River's stuck-job rescue.
	JobTimeout time.Duration
	// RetryBase is the wait before the first retry of an inconclusive
	// check (default defaultVerifyRetryBase).
	RetryBase time.Duration
}

// defaultVerifyRetryBase is long enough that a brief Ironclad outage is not
// hammered by every tenant at once, short enough that a blip costs little.
const defaultVerifyRetryBase = 30 * time.Second

// Timeout implements river.Worker.
func (w *VerifyWorker) Timeout(*river.Job[VerifyTenantArgs]) time.Duration { return w.JobTimeout }

// NextRetry backs off an inconclusive check: RetryBase (30s by default), then
// twice that, four times … capped at 10 minutes, ±20% jitter so many tenants
// failing together do not retry in step.
func (w *VerifyWorker) NextRetry(job *river.Job[VerifyTenantArgs]) time.Time {
	return time.Now().Add(backoff(job.Attempt, cmp.Or(w.RetryBase, defaultVerifyRetryBase), 10*time.Minute))
}

// Work implements river.Worker. A conclusive check completes the job in the
// same transaction that records it. An inconclusive one is recorded,
// committed, and then retried with backoff; a 429 snoozes instead, which
// uses no attempt. A check whose credentials were rotated while it ran is
// dropped, and the job runs again at once with the new ones. A tenant
// removed or paused meanwhile cancels the job.
//
// River completes the job again when Work returns nil; that second update
// only touches a job still running, so it changes nothing here.
func (w *VerifyWorker) Work(ctx context.Context, job *river.Job[VerifyTenantArgs]) error {
	res, err := w.Verifier.Verify(ctx, job.Args.TenantID, VerifyOptions{
		InTx: func(ctx context.Context, tx pgx.Tx, r *Result) error {
			if !settled(r) {
				return nil
			}
			_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
			return err
		},
	})
	switch {
	case errors.Is(err, ErrTenantGone), errors.Is(err, ErrTenantPaused):
		return river.JobCancel(err)
	case errors.Is(err, ironclad.ErrBaseURLNotAllowed), errors.Is(err, ironclad.ErrUnknownRegion),
		errors.Is(err, ironclad.ErrInvalidConnection), errors.Is(err, secret.ErrTampered):
		// A configuration problem, not evidence: retrying cannot help, and
		// the next scheduled check will try again once it is fixed. (An
		// unknown key id is not in this list: during a rolling deploy that
		// adds a key, another replica may already have it, so that error is
		// retried like any other.)
		w.Verifier.Log.Error().Err(err).Int64("tenant_id", job.Args.TenantID).Msg("tenant cannot be checked")
		return river.JobCancel(err)
	case err != nil:
		return err
	}
	if settled(&res) {
		return nil
	}
	if rotatedMeanwhile(&res) {
		// The rotation made the tenant due at once, but while this job
		// was in flight the scheduler could only skip the tenant (the job
		// is unique per tenant) and move its next check a full interval
		// on. So this job checks the new credentials itself, now.
		return river.JobSnooze(0)
	}
	if retryAfter, limited := res.Observation.RateLimited(); limited {
		return river.JobSnooze(snoozeFor(retryAfter, job.JobRow))
	}
	return errInconclusive
}

// settled reports whether a verification ends its job: its observation was
// conclusive and recorded, or it was dropped for a reason a new check would
// not change (a checker that did not report the generation it checked).
func settled(r *Result) bool {
	if r.Applied.Dropped {
		return !rotatedMeanwhile(r)
	}
	return r.Observation.Conclusive()
}

// rotatedMeanwhile reports whether a dropped verification was dropped
// because the tenant's credentials were rotated after it loaded them.
func rotatedMeanwhile(r *Result) bool {
	return r.Applied.Dropped && r.Applied.Tenant.Generation != r.Tenant.Generation &&
		r.Observation.Generation == r.Tenant.Generation
}

var errInconclusive = errors.New("inconclusive check (Ironclad unreachable, erroring or garbled); retrying with backoff")

// snoozeFor honours Retry-After when Ironclad gives one, else backs off
// exponentially; both get jitter and a ceiling. River hands a snoozed job
// its attempt back, so the attempt does not grow from one snooze to the
// next; the snooze count River keeps in the job's metadata does.
func snoozeFor(retryAfter time.Duration, job *rivertype.JobRow) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, 15*time.Minute) + time.Duration(rand.Int64N(int64(5*time.Second)))
	}
	return backoff(job.Attempt+snoozes(job.Metadata), 20*time.Second, 15*time.Minute)
}

// snoozes reads how often River has snoozed a job from its metadata; zero
// when it says nothing readable.
func snoozes(metadata []byte) int {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	if json.Unmarshal(metadata, &m) != nil {
		return 0
	}
	return max(m.Snoozes, 0)
}

// backoff returns base·2^(attempt-1), capped, with ±20% jitter.
func backoff(attempt int, base, ceiling time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	return jittered(min(d, ceiling), 0.2)
}

// ScheduleWorker works the leader's periodic schedule_due job.
type ScheduleWorker struct {
	river.WorkerDefaults[ScheduleDueArgs]
	Store     *postgres.Store
	Insert    BatchInserter // set after the client is built
	Pool      Beginner
	BatchSize int
	Now       func() time.Time
	Metrics   *Metrics
}

// Work claims due tenants batch by batch. Each batch claims its tenants
// (FOR UPDATE SKIP LOCKED, so a second scheduler would get other rows),
// enqueues one verify_tenant job each and moves their next check on, all in
// one transaction: a crash loses or repeats nothing.
func (w *ScheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleDueArgs]) error {
	for {
		n, err := w.scheduleBatch(ctx)
		if err != nil {
			return err
		}
		if n < w.BatchSize {
			return nil
		}
	}
}

func (w *ScheduleWorker) scheduleBatch(ctx context.Context) (int, error) {
	tx, err := w.Pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("beginning the schedule transaction: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	ids, err := w.Store.ClaimDue(ctx, tx, w.Now(), w.BatchSize, scheduleJitter)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: VerifyTenantArgs{TenantID: id}}
	}
	results, err := w.Insert.InsertManyTx(ctx, tx, params)
	if err != nil {
		return 0, fmt.Errorf("enqueueing %d verify_tenant jobs: %w", len(params), err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("committing %d scheduled tenants: %w", len(ids), err)
	}
	// A tenant whose verify job is still pending (waiting, retrying,
	// snoozed or running) gets no second one: that job checks it. Its next
	// check has moved on all the same, so it is not claimed again at every
	// pass while the job waits.
	inserted := 0
	for _, r := range results {
		if !r.UniqueSkippedAsDuplicate {
			inserted++
		}
	}
	w.Metrics.observeScheduled(inserted)
	return len(ids), nil
}

// scheduleJitter spreads next checks by ±5% of the interval: enough to keep
// tenants added together from staying in lockstep, symmetric so the average
// interval stays what the operator set.
func scheduleJitter(interval time.Duration) time.Duration {
	return jittered(interval, 0.05) - interval
}
