package jobs_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironclad"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/pgtest"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// epoch is where the fake clock starts: microsecond-aligned, like the
// database's timestamps.
var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the store and the workers.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// scriptedChecker answers every check with the observation its current
// script makes, as if Ironclad had said so.
type scriptedChecker struct {
	mu      sync.Mutex
	revoked map[health.Scope]bool
	now     func() time.Time
}

func (c *scriptedChecker) setRevoked(scopes ...health.Scope) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.revoked = make(map[health.Scope]bool)
	for _, s := range scopes {
		c.revoked[s] = true
	}
}

// Check reports the client authenticated and every scope granted and
// usable, except the revoked ones, which the token was issued without.
func (c *scriptedChecker) Check(_ context.Context, conn ironclad.Connection) (health.Observation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	obs := healthy(conn, c.now())
	for s := range c.revoked {
		obs.Scopes[s] = health.ScopeObservation{Granted: health.OutcomeDenied}
	}
	return obs, nil
}

// world is one test's database, store, River client and verifier, with
// reminders every hour through two sinks.
type world struct {
	t        *testing.T
	pool     *pgxpool.Pool
	store    *postgres.Store
	clock    *clock
	keyring  *secret.Keyring
	checker  *scriptedChecker
	verifier *jobs.Verifier
	client   *river.Client[pgx.Tx]
	policy   alert.Policy
	sinks    []string
}

const remindEvery = time.Hour

func newWorld(t *testing.T) *world {
	t.Helper()
	// Room for a running River client (its producers, completer and
	// leader election) beside the test's own queries.
	pcfg, err := pgxpool.ParseConfig(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	pcfg.MaxConns = 12
	pool, err := pgxpool.NewWithConfig(t.Context(), pcfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	clk := &clock{now: epoch}
	key := sha256.Sum256([]byte("k1"))
	kr, err := secret.NewKeyring("k1", map[string][]byte{"k1": key[:]})
	if err != nil {
		t.Fatal(err)
	}
	// Losses are confirmed at once, so one check opens a B incident.
	store := postgres.New(pool, postgres.Options{Now: clk.Now, Policy: health.Policy{ConfirmAfter: 1}})
	checker := &scriptedChecker{now: clk.Now}
	policy := alert.Policy{RemindEvery: remindEvery}
	sinks, err := alert.NewSinks([]alert.SinkConfig{{Name: "first", Type: alert.SinkLog}, {Name: "second", Type: alert.SinkLog}}, nil, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	v := &jobs.Verifier{Store: store, Keyring: kr, Checker: checker, Alerts: policy, Log: zerolog.Nop()}
	client, err := jobs.NewClient(jobs.Config{
		Pool: pool, Store: store, Verifier: v, Sinks: sinks,
		JobTimeout: time.Minute, RescueAfter: 2 * time.Minute, Now: clk.Now, Log: zerolog.Nop(),
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	return &world{
		t: t, pool: pool, store: store, clock: clk, keyring: kr, checker: checker,
		verifier: v, client: client, policy: policy, sinks: []string{"first", "second"},
	}
}

// addTenant creates a tenant and returns it.
func (w *world) addTenant(ext string) postgres.Tenant {
	w.t.Helper()
	sealed, err := w.keyring.Seal(secret.New("secret-of-"+ext), jobs.SecretAAD(ext))
	if err != nil {
		w.t.Fatal(err)
	}
	tenant, err := w.store.CreateTenant(w.t.Context(), postgres.NewTenant{
		ExternalID: ext, Name: "Tenant " + ext, Region: "na1", ClientID: "client-" + ext,
		Secret: sealed, ActingUserEmail: "ops@" + ext + ".example", CheckInterval: 15 * time.Minute,
	})
	if err != nil {
		w.t.Fatalf("creating tenant %s: %v", ext, err)
	}
	return tenant
}

// verify checks a tenant now, with the checker's current script.
func (w *world) verify(tenant postgres.Tenant, revoked ...health.Scope) jobs.Result {
	w.t.Helper()
	w.checker.setRevoked(revoked...)
	res, err := w.verifier.Verify(w.t.Context(), tenant.ID, jobs.VerifyOptions{AllowPaused: true})
	if err != nil {
		w.t.Fatalf("verifying %s: %v", tenant.ExternalID, err)
	}
	return res
}

// remindWorker is a fresh reminder worker, as a newly started replica
// would build it.
func (w *world) remindWorker(insert jobs.BatchInserter) *jobs.RemindWorker {
	return &jobs.RemindWorker{
		Store: w.store, Pool: w.pool, Insert: insert, Policy: w.policy, Sinks: w.sinks,
		Now: w.clock.Now, Log: zerolog.Nop(),
	}
}

// remindAt runs one reminder scan at the given time.
func (w *world) remindAt(at time.Time) error {
	w.t.Helper()
	w.clock.Set(at)
	return w.remindWorker(w.client).Work(w.t.Context(), &river.Job[jobs.RemindArgs]{})
}

// deliveries returns the deliver_alert jobs enqueued so far, oldest first.
func (w *world) deliveries() []jobs.DeliverAlertArgs {
	w.t.Helper()
	rows, err := w.pool.Query(w.t.Context(), `SELECT args FROM river_job WHERE kind = 'deliver_alert' ORDER BY id`)
	if err != nil {
		w.t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (jobs.DeliverAlertArgs, error) {
		var raw []byte
		var a jobs.DeliverAlertArgs
		if err := row.Scan(&raw); err != nil {
			return a, err
		}
		return a, json.Unmarshal(raw, &a)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}
