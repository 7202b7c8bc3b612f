package jobs_test

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironclad"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// runWorkers starts a River client that works every queue, built by
// jobs.NewClient exactly as `worker run` builds it, with checker standing in
// for Ironclad. tune may adjust the configuration first. The scheduler runs
// once at start and then hourly, so a test decides when tenants are checked.
// The test's cleanup stops the client.
func (w *world) runWorkers(checker jobs.Checker, tune func(*jobs.Config)) *river.Client[pgx.Tx] {
	w.t.Helper()
	sinks, err := alert.NewSinks([]alert.SinkConfig{{Name: "first", Type: alert.SinkLog}, {Name: "second", Type: alert.SinkLog}}, nil, zerolog.Nop())
	if err != nil {
		w.t.Fatal(err)
	}
	cfg := jobs.Config{
		Pool: w.pool, Store: w.store, Sinks: sinks,
		Verifier:      &jobs.Verifier{Store: w.store, Keyring: w.keyring, Checker: checker, Alerts: w.policy, Log: zerolog.Nop()},
		VerifyWorkers: 2, AlertWorkers: 2, ScheduleEvery: time.Hour,
		JobTimeout: 30 * time.Second, RescueAfter: time.Minute, Now: w.clock.Now, Log: zerolog.Nop(),
	}
	if tune != nil {
		tune(&cfg)
	}
	client, err := jobs.NewClient(cfg, false)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := client.Start(context.WithoutCancel(w.t.Context())); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.StopAndCancel(ctx); err != nil {
			w.t.Errorf("stopping the River client: %v", err)
		}
	})
	return client
}

// enqueueVerify inserts a verify_tenant job for the tenant, as the scheduler
// would, and returns its id.
func (w *world) enqueueVerify(client *river.Client[pgx.Tx], tenantID int64) int64 {
	w.t.Helper()
	res, err := client.Insert(w.t.Context(), jobs.VerifyTenantArgs{TenantID: tenantID}, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return res.Job.ID
}

// verifyJob is the state of a tenant's latest verify_tenant job.
type verifyJob struct {
	ID      int64
	State   string
	Attempt int
	Errors  []string
	Jobs    int // verify_tenant jobs the tenant has had in all
}

func (w *world) verifyJobOf(tenantID int64) verifyJob {
	w.t.Helper()
	var j verifyJob
	err := w.pool.QueryRow(w.t.Context(), `
		SELECT id, state::text, attempt,
			coalesce((SELECT array_agg(e->>'error') FROM unnest(errors) AS e), '{}'),
			count(*) OVER ()
		FROM river_job WHERE kind = 'verify_tenant' AND (args->>'tenant_id')::bigint = $1
		ORDER BY id DESC LIMIT 1`, tenantID).Scan(&j.ID, &j.State, &j.Attempt, &j.Errors, &j.Jobs)
	if err != nil && err != pgx.ErrNoRows {
		w.t.Fatal(err)
	}
	return j
}

// checksOf counts a tenant's stored checks: conclusive ones, or the others.
func (w *world) checksOf(tenantID int64, conclusive bool) int {
	w.t.Helper()
	var n int
	if err := w.pool.QueryRow(w.t.Context(), `SELECT count(*) FROM checks WHERE tenant_id = $1 AND conclusive = $2`,
		tenantID, conclusive).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// checkFunc adapts a function to jobs.Checker.
type checkFunc func(ctx context.Context, conn ironclad.Connection) (health.Observation, error)

func (f checkFunc) Check(ctx context.Context, conn ironclad.Connection) (health.Observation, error) {
	return f(ctx, conn)
}

// callLog records the generations a checker was asked about, in order.
type callLog struct {
	mu          sync.Mutex
	generations []int64
}

func (l *callLog) add(g int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.generations = append(l.generations, g)
}

func (l *callLog) get() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int64(nil), l.generations...)
}

// healthy is the observation of a tenant whose every scope is granted and
// usable.
func healthy(conn ironclad.Connection, at time.Time) health.Observation {
	obs := health.Observation{
		ClientID: conn.ClientID, Generation: conn.Generation, ObservedAt: at,
		Credentials: health.OutcomeOK, Grant: health.OutcomeOK,
		Scopes: make(map[health.Scope]health.ScopeObservation), APICalls: 1,
		Evidence: []health.Evidence{{Call: "POST /oauth/token", Status: 200, Outcome: health.OutcomeOK}},
	}
	for _, s := range health.Scopes {
		obs.Scopes[s] = health.ScopeObservation{Granted: health.OutcomeOK, Usable: health.OutcomeOK}
	}
	return obs
}

// unanswered is the observation of a check Ironclad did not answer: the
// token request got status (a 503, or a 429 with retryAfter).
func unanswered(conn ironclad.Connection, at time.Time, status int, retryAfter time.Duration) health.Observation {
	return health.Observation{
		ClientID: conn.ClientID, Generation: conn.Generation, ObservedAt: at,
		Credentials: health.OutcomeInconclusive, Grant: health.OutcomeInconclusive,
		Scopes: map[health.Scope]health.ScopeObservation{}, APICalls: 1,
		Evidence: []health.Evidence{{
			Call: "POST /oauth/token", Status: status, Outcome: health.OutcomeInconclusive, RetryAfter: retryAfter,
		}},
	}
}

// rotate gives the tenant a new secret, as `worker tenant rotate` does.
func (w *world) rotate(ext string) {
	w.t.Helper()
	sealed, err := w.keyring.Seal(secret.New("rotated-secret-of-"+ext), jobs.SecretAAD(ext))
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.store.RotateCredentials(w.t.Context(), ext, "", sealed); err != nil {
		w.t.Fatal(err)
	}
}
