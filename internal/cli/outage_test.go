package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grantwatch/grantwatch/internal/eventually"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

// TestOutageCheck: while Ironclad is down (every request answers 503, or
// hangs past the call timeout), `check` is inconclusive and changes nothing:
// no ledger change, no incident, no event, no alert. A tenant whose loss was
// only suspected stays suspected, so the outage neither confirms nor forgets
// it. The first check after the outage is conclusive again without anyone
// doing anything.
func TestOutageCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range outages() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := tc.harness(t)
			db := h.pool()
			h.alertReceiver()
			healthy := h.addCompany("healthy", allScopes, true)
			h.addTenant(healthy, healthy.secret)
			h.expect("healthy before", h.check(healthy.ext), want{scopes: map[health.Scope]string{health.ScopeReadUsers: "granted"}})
			losing := h.addCompany("losing", allScopes, true)
			h.addTenant(losing, losing.secret)
			h.expect("losing before", h.check(losing.ext), want{})
			if err := h.sim.RevokeScope(losing.clientID, string(health.ScopeReadUsers)); err != nil {
				t.Fatal(err)
			}
			h.expect("first denial", h.check(losing.ext), want{suspected: []health.Code{"ICD-102-B"}})

			before := map[string]tenantSnapshot{healthy.ext: h.snapshot(db, healthy.ext), losing.ext: h.snapshot(db, losing.ext)}
			h.sim.SetFault("", tc.fault)
			for _, ext := range []string{healthy.ext, losing.ext} {
				got := h.check(ext)
				if got.Conclusive || got.CheckID == 0 {
					t.Errorf("%s during the outage: want an inconclusive check on record, got %+v", ext, got)
				}
				if n := h.checkCount(db, ext, false); n != 1 {
					t.Errorf("%s: %d inconclusive checks stored, want 1", ext, n)
				}
				if after := h.snapshot(db, ext); !reflect.DeepEqual(before[ext], after) {
					t.Errorf("%s: the outage changed the tenant:\nbefore %+v\nafter  %+v", ext, before[ext], after)
				}
			}
			if inc := h.history(); len(inc) != 0 {
				t.Errorf("the outage opened incidents: %+v", inc)
			}

			h.sim.ClearFaults("")
			h.expect("healthy after", h.check(healthy.ext), want{scopes: map[health.Scope]string{health.ScopeReadUsers: "granted"}})
			if n := h.eventCount(db, healthy.ext); n != before[healthy.ext].Events {
				t.Errorf("a healthy tenant's recovery from an outage wrote %d events", n-before[healthy.ext].Events)
			}
			h.expect("confirmed after", h.check(losing.ext), want{open: []health.Code{"ICD-102-B"}})
			h.expectHistory(losing.ext, "ICD-102-B", "open")
			// The same alert path was live all along: the confirmation
			// enqueues what the outage did not.
			if s := h.snapshot(db, losing.ext); s.Alerts == 0 {
				t.Errorf("the confirmed incident enqueued no alert: %+v", s)
			}
		})
	}
}

// TestOutageWorkerRetries: the same outage met by `worker run`. The
// verify_tenant job records an inconclusive check and is retried with
// backoff, never opening an incident or enqueuing an alert; once Ironclad is
// back, a later attempt of the same job completes it.
func TestOutageWorkerRetries(t *testing.T) {
	t.Parallel()
	for _, tc := range outages() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := tc.harness(t)
			db := h.pool()
			delivered := h.alertReceiver()
			c := h.addCompany("acme", allScopes, true)
			h.addTenant(c, c.secret)
			h.expect("healthy", h.check(c.ext), want{})
			before := h.snapshot(db, c.ext)

			h.sim.SetFault("", tc.fault)
			h.exec(db, `UPDATE tenants SET next_check_at = now() WHERE external_id = $1`, c.ext)
			r := h.startReplica("outage", map[string]string{"GRANTWATCH_VERIFY_RETRY_BASE": "500ms"})

			var job verifyJob
			eventually.True(t, 30*time.Second, "the verify job to fail twice on the outage and wait for another attempt", func() (bool, string) {
				job = h.verifyJobOf(db, c.ext)
				pending := job.State == "available" || job.State == "scheduled" || job.State == "retryable"
				return job.Errors >= 2 && pending, fmt.Sprintf("job %+v", job)
			})
			if n := h.checkCount(db, c.ext, false); n < 2 {
				t.Errorf("%d inconclusive checks recorded by the failed attempts, want ≥ 2", n)
			}
			if after := h.snapshot(db, c.ext); !reflect.DeepEqual(before, after) {
				t.Errorf("the outage changed the tenant:\nbefore %+v\nafter  %+v", before, after)
			}

			h.sim.ClearFaults("")
			eventually.True(t, 30*time.Second, "a later attempt to complete the same job", func() (bool, string) {
				got := h.verifyJobOf(db, c.ext)
				return got.ID == job.ID && got.State == "completed", fmt.Sprintf("job %+v", got)
			})
			r.stop(t)

			done := h.verifyJobOf(db, c.ext)
			if done.Attempt < 3 {
				t.Errorf("the job completed on attempt %d, want a retry after at least two failures", done.Attempt)
			}
			if n := h.checkCount(db, c.ext, true); n != 2 {
				t.Errorf("%d conclusive checks, want 2 (before the outage and after it)", n)
			}
			if after := h.snapshot(db, c.ext); after.Events != before.Events || after.Incidents != 0 || after.Alerts != 0 {
				t.Errorf("recovering from the outage changed history: before %+v, after %+v", before, after)
			}
			if n := delivered.Load(); n != 0 {
				t.Errorf("%d alerts delivered for an outage", n)
			}
		})
	}
}

// TestVerifyRetryBaseValidated: a retry base too short to be a backoff is
// refused at start, as a usage error naming the variable.
func TestVerifyRetryBaseValidated(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.setenv("GRANTWATCH_VERIFY_RETRY_BASE", "10ms")
	_, stderr, code := h.run("", "run")
	if code != exitUsage || !strings.Contains(stderr, "GRANTWATCH_VERIFY_RETRY_BASE") {
		t.Errorf("exit %d, stderr %q; want exit %d naming GRANTWATCH_VERIFY_RETRY_BASE", code, stderr, exitUsage)
	}
}

// alertReceiver configures a webhook sink pointing at a local receiver, so
// that an alert the worker wrongly raised would be enqueued and delivered
// rather than dropped for want of a sink. It returns the delivery count.
func (h *harness) alertReceiver() *atomic.Int64 {
	h.t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	h.t.Cleanup(srv.Close)
	h.setenv("GRANTWATCH_ALERT_WEBHOOK_URL", srv.URL)
	h.setenv("GRANTWATCH_ALERT_WEBHOOK_SECRET", "test-signing-"+randomSuffix())
	return &n
}

// outage is one way for Ironclad to be unreachable.
type outage struct {
	name  string
	fault ironcladsim.Fault
	env   map[string]string // configuration the outage needs
}

// outages are the two ways Ironclad goes away: it answers 503 to every
// request, or it never answers and the call timeout ends each request.
func outages() []outage {
	return []outage{
		{"server-error", ironcladsim.Fault{Kind: ironcladsim.FaultServerError}, nil},
		{"hang", ironcladsim.Fault{Kind: ironcladsim.FaultHang}, map[string]string{"GRANTWATCH_CALL_TIMEOUT": "300ms"}},
	}
}

// harness returns a new harness configured for the outage.
func (o outage) harness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	for k, v := range o.env {
		h.setenv(k, v)
	}
	return h
}

// tenantSnapshot is what an inconclusive check must leave untouched.
type tenantSnapshot struct {
	Open, Suspected []health.Code
	Scopes          map[health.Scope]string
	Ledger          string // the ledger row as stored
	Events          int
	Incidents       int
	Alerts          int // deliver_alert jobs in River, for any tenant
}

// snapshot reads a tenant's state through `status --json` and its rows.
func (h *harness) snapshot(db *pgxpool.Pool, ext string) tenantSnapshot {
	h.t.Helper()
	var st statusJSON
	if err := json.Unmarshal([]byte(h.mustRun("", "status", ext, "--json")), &st); err != nil {
		h.t.Fatalf("status --json: %v", err)
	}
	s := tenantSnapshot{Suspected: st.Suspected, Scopes: st.Scopes, Events: h.eventCount(db, ext)}
	for _, inc := range st.Open {
		s.Open = append(s.Open, inc.Code)
	}
	h.queryRow(db, `SELECT l.ledger::text FROM ledgers l JOIN tenants t ON t.id = l.tenant_id WHERE t.external_id = $1`, []any{ext}, &s.Ledger)
	h.queryRow(db, `SELECT count(*) FROM incidents i JOIN tenants t ON t.id = i.tenant_id WHERE t.external_id = $1`, []any{ext}, &s.Incidents)
	h.queryRow(db, `SELECT count(*) FROM river_job WHERE kind = 'deliver_alert'`, nil, &s.Alerts)
	return s
}

func (h *harness) eventCount(db *pgxpool.Pool, ext string) int {
	h.t.Helper()
	var n int
	h.queryRow(db, `SELECT count(*) FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE t.external_id = $1`, []any{ext}, &n)
	return n
}

func (h *harness) checkCount(db *pgxpool.Pool, ext string, conclusive bool) int {
	h.t.Helper()
	var n int
	h.queryRow(db, `SELECT count(*) FROM checks c JOIN tenants t ON t.id = c.tenant_id
		WHERE t.external_id = $1 AND c.conclusive = $2`, []any{ext, conclusive}, &n)
	return n
}

// verifyJob is a verify_tenant job as River stores it.
type verifyJob struct {
	ID      int64
	State   string
	Attempt int
	Errors  int
}

// verifyJobOf returns the newest verify_tenant job of a tenant (zero if none).
func (h *harness) verifyJobOf(db *pgxpool.Pool, ext string) verifyJob {
	h.t.Helper()
	var j verifyJob
	rows, err := db.Query(h.t.Context(), `
		SELECT j.id, j.state::text, j.attempt, coalesce(array_length(j.errors, 1), 0)
		FROM river_job j JOIN tenants t ON t.id = (j.args->>'tenant_id')::bigint
		WHERE j.kind = 'verify_tenant' AND t.external_id = $1
		ORDER BY j.id DESC LIMIT 1`, ext)
	if err != nil {
		h.t.Fatalf("reading the verify job of %s: %v", ext, err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&j.ID, &j.State, &j.Attempt, &j.Errors); err != nil {
			h.t.Fatalf("reading the verify job of %s: %v", ext, err)
		}
	}
	if err := rows.Err(); err != nil {
		h.t.Fatalf("reading the verify job of %s: %v", ext, err)
	}
	return j
}

// pool opens a pool on the harness's database for the test's own queries.
func (h *harness) pool() *pgxpool.Pool {
	h.t.Helper()
	cfg, err := pgxpool.ParseConfig(h.dbURL)
	if err != nil {
		h.t.Fatal(err)
	}
	cfg.MaxConns = 4
	db, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(db.Close)
	return db
}

func (h *harness) queryRow(db *pgxpool.Pool, sql string, args []any, dst ...any) {
	h.t.Helper()
	if err := db.QueryRow(h.t.Context(), sql, args...).Scan(dst...); err != nil {
		h.t.Fatalf("%s: %v", sql, err)
	}
}

func (h *harness) exec(db *pgxpool.Pool, sql string, args ...any) {
	h.t.Helper()
	if _, err := db.Exec(h.t.Context(), sql, args...); err != nil {
		h.t.Fatalf("%s: %v", sql, err)
	}
}
