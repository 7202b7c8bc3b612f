package postgres_test

import (
	"context"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/pgtest"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// epoch is the fake clock's start: a fixed, microsecond-aligned instant.
var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fakeClock is a settable clock for the store.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one test's store on its own database.
type env struct {
	pool  *pgxpool.Pool
	store *postgres.Store
	clock *fakeClock
	kr    *secret.Keyring
}

func newEnv(t testing.TB) *env {
	t.Helper()
	pool := pgtest.Pool(t)
	clock := newClock()
	return &env{
		pool:  pool,
		store: postgres.New(pool, postgres.Options{Now: clock.Now, Policy: health.Policy{ConfirmAfter: 2}}),
		clock: clock,
		kr:    keyring(t, "k1", "k1"),
	}
}

// keyring builds a keyring holding ids (each key derived from its id),
// sealing with primary.
func keyring(t testing.TB, primary string, ids ...string) *secret.Keyring {
	t.Helper()
	keys := make(map[string][]byte, len(ids))
	for _, id := range ids {
		key := sha256.Sum256([]byte(id))
		keys[id] = key[:]
	}
	kr, err := secret.NewKeyring(primary, keys)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func aad(externalID string) []byte { return []byte("grantwatch/tenant/" + externalID) }

// seal seals a client secret for a tenant.
func (e *env) seal(t testing.TB, externalID, value string) secret.Sealed {
	t.Helper()
	s, err := e.kr.Seal(secret.New(value), aad(externalID))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newTenant returns a valid NewTenant for externalID.
func (e *env) newTenant(t testing.TB, externalID string) postgres.NewTenant {
	t.Helper()
	return postgres.NewTenant{
		ExternalID:      externalID,
		Name:            "Tenant " + externalID,
		Region:          "na1",
		ClientID:        "client-" + externalID,
		Secret:          e.seal(t, externalID, "secret-of-"+externalID),
		ActingUserEmail: "ops@" + externalID + ".example",
		CheckInterval:   15 * time.Minute,
	}
}

// create adds a tenant with valid defaults.
func (e *env) create(t testing.TB, externalID string) postgres.Tenant {
	t.Helper()
	tenant, err := e.store.CreateTenant(context.Background(), e.newTenant(t, externalID))
	if err != nil {
		t.Fatalf("CreateTenant(%s): %v", externalID, err)
	}
	return tenant
}

// createAll adds tenants with valid defaults and returns their ids.
func (e *env) createAll(t testing.TB, externalIDs ...string) []int64 {
	t.Helper()
	ids := make([]int64, len(externalIDs))
	for i, ext := range externalIDs {
		ids[i] = e.create(t, ext).ID
	}
	return ids
}

// apply applies obs with no hook and fails the test on error.
func (e *env) apply(t testing.TB, tenant postgres.Tenant, obs health.Observation) postgres.Applied {
	t.Helper()
	a, err := e.store.ApplyObservation(context.Background(), tenant.ID, obs, nil)
	if err != nil {
		t.Fatalf("ApplyObservation: %v", err)
	}
	return a
}

// count returns the result of a count(*) query.
func (e *env) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// inTx runs fn in a transaction that is rolled back afterwards.
func (e *env) inTx(t testing.TB, fn func(tx pgx.Tx)) {
	t.Helper()
	tx, err := e.pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	fn(tx)
}

// Observation builders. Each describes one check's evidence for a tenant's
// current credentials.

func observe(tenant postgres.Tenant, at time.Time) health.Observation {
	return health.Observation{
		ClientID:   tenant.ClientID,
		Generation: tenant.Generation,
		ObservedAt: at,
		APICalls:   1,
	}
}

// allOK: a token with every scope, every probe answered.
func allOK(tenant postgres.Tenant, at time.Time) health.Observation {
	o := observe(tenant, at)
	o.Credentials, o.Grant = health.OutcomeOK, health.OutcomeOK
	o.Scopes = make(map[health.Scope]health.ScopeObservation, len(health.Scopes))
	for _, s := range health.Scopes {
		o.Scopes[s] = health.ScopeObservation{Granted: health.OutcomeOK, Usable: health.OutcomeOK}
	}
	o.Evidence = []health.Evidence{{Call: "POST /oauth/token", Status: 200, Outcome: health.OutcomeOK}}
	o.APICalls = 1 + len(health.Scopes)
	return o
}

// credentialsDenied: Ironclad answered invalid_client.
func credentialsDenied(tenant postgres.Tenant, at time.Time) health.Observation {
	o := observe(tenant, at)
	o.Credentials = health.OutcomeDenied
	o.Evidence = []health.Evidence{{Call: "POST /oauth/token", Status: 401, OAuthError: "invalid_client",
		Message: "client authentication failed", RequestID: "req-1", Outcome: health.OutcomeDenied}}
	return o
}

// usersMissing: a token without scim.users.readUsers; everything else works.
func usersMissing(tenant postgres.Tenant, at time.Time) health.Observation {
	o := allOK(tenant, at)
	o.Scopes[health.ScopeReadUsers] = health.ScopeObservation{Granted: health.OutcomeDenied}
	o.Evidence = append(o.Evidence, health.Evidence{Call: "POST /oauth/token", Scope: health.ScopeReadUsers,
		Status: 400, OAuthError: "invalid_scope", Message: "scope not allowed", Outcome: health.OutcomeDenied})
	return o
}

// inconclusive: the token request timed out.
func inconclusive(tenant postgres.Tenant, at time.Time) health.Observation {
	o := observe(tenant, at)
	o.Credentials = health.OutcomeInconclusive
	o.Evidence = []health.Evidence{{Call: "POST /oauth/token", Message: "timeout", Outcome: health.OutcomeInconclusive}}
	return o
}
