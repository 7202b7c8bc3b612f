package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/eventually"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
	"github.com/grantwatch/grantwatch/internal/view"
)

// The acceptance tests of alert delivery. A real `worker run` process
// delivers to real HTTP receivers that verify every signature with
// alert.Verify and count what they get by Idempotency-Key; `worker check`
// drives the checks (tenants are paused, so the worker's own schedule never
// races them). After each step the tests wait for quiescence: no
// deliver_alert job left that could still run.

// receivedAlert is what the receivers read of a webhook body.
type receivedAlert struct {
	Key        string     `json:"idempotency_key"`
	EventID    int64      `json:"event_id"`
	Test       bool       `json:"test"`
	State      string     `json:"state"`
	Kind       string     `json:"kind"`
	Code       string     `json:"code"`
	IncidentID int64      `json:"incident_id"`
	OpenedAt   *time.Time `json:"opened_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
}

// answer decides a receiver's reply to the attempt-th request carrying one
// key (1 for the first): it may set headers and returns the status. It may
// block on the request's context, which ends when the sender gives up or
// dies.
type answer func(w http.ResponseWriter, r *http.Request, attempt int) int

func accept(http.ResponseWriter, *http.Request, int) int { return http.StatusNoContent }

// always answers status to every attempt.
func always(status int) answer {
	return func(http.ResponseWriter, *http.Request, int) int { return status }
}

// failFirst answers status to the first n attempts, then accepts.
func failFirst(n, status int) answer {
	return func(_ http.ResponseWriter, _ *http.Request, attempt int) int {
		if attempt <= n {
			return status
		}
		return http.StatusNoContent
	}
}

// busyFirst asks the sender to come back in three seconds, then accepts.
func busyFirst(w http.ResponseWriter, _ *http.Request, attempt int) int {
	if attempt == 1 {
		w.Header().Set("Retry-After", "3")
		return http.StatusTooManyRequests
	}
	return http.StatusNoContent
}

// hangFirst holds the first attempt until the sender gives up, then
// accepts the next.
func hangFirst(_ http.ResponseWriter, r *http.Request, attempt int) int {
	if attempt == 1 {
		<-r.Context().Done()
		return http.StatusServiceUnavailable
	}
	return http.StatusNoContent
}

// receiver is a webhook endpoint that behaves like the README asks of one:
// it verifies the signature over the raw body, acts on each
// Idempotency-Key once, and answers 2xx to repeats without acting again.
type receiver struct {
	name   string
	secret string
	url    string
	answer answer
	// arrivals, if not nil, gets each request's key as it arrives.
	arrivals chan string

	mu        sync.Mutex
	requests  map[string]int           // requests per key, whatever the reply
	arrived   map[string][]time.Time   // when each request per key arrived
	delivered map[string]int           // 2xx replies per key: what the sender saw succeed
	alerts    map[string]receivedAlert // the body each key was first acted on with
	order     []string                 // keys in the order first seen
	rejected  []string                 // why requests were refused (bad signature, key mismatch)
}

// newReceiver starts a receiver whose signing secret is unique to it.
func newReceiver(t *testing.T, name string, ans answer) *receiver {
	t.Helper()
	rv := &receiver{
		name: name, secret: "whsec-" + name + "-" + randomSuffix(), answer: ans,
		requests: map[string]int{}, arrived: map[string][]time.Time{}, delivered: map[string]int{}, alerts: map[string]receivedAlert{},
	}
	srv := httptest.NewServer(rv)
	// Cleanups run last-in first-out: a handler still holding a request is
	// released before Close waits for it.
	t.Cleanup(srv.Close)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	inner := rv.answer
	rv.answer = func(w http.ResponseWriter, r *http.Request, attempt int) int {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		go func() {
			select {
			case <-release:
				cancel()
			case <-ctx.Done():
			}
		}()
		return inner(w, r.WithContext(ctx), attempt)
	}
	rv.url = srv.URL + "/hooks/" + name
	return rv
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "reading body", http.StatusBadRequest)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	var a receivedAlert
	switch err := alert.Verify([]byte(rv.secret), r.Header.Get(alert.SignatureHeader), body, time.Now(), 0); {
	case err != nil:
		rv.reject(fmt.Sprintf("key %s: %v", key, err))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	case json.Unmarshal(body, &a) != nil || a.Key != key || key == "":
		rv.reject(fmt.Sprintf("header key %q does not match the body's %q", key, a.Key))
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}

	rv.mu.Lock()
	rv.requests[key]++
	rv.arrived[key] = append(rv.arrived[key], time.Now())
	attempt := rv.requests[key]
	if attempt == 1 {
		rv.alerts[key] = a
		rv.order = append(rv.order, key)
	}
	rv.mu.Unlock()
	if rv.arrivals != nil {
		select {
		case rv.arrivals <- key:
		default:
		}
	}

	status := rv.answer(w, r, attempt)
	if status/100 == 2 {
		rv.mu.Lock()
		rv.delivered[key]++
		rv.mu.Unlock()
	}
	w.WriteHeader(status)
}

func (rv *receiver) reject(why string) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	rv.rejected = append(rv.rejected, why)
}

// receipt is what a receiver got for one key.
type receipt struct {
	alert     receivedAlert
	requests  int
	arrived   []time.Time
	delivered int
}

// received returns, in order of first arrival, every key the receiver
// acted on, failing the test on any refused request.
func (rv *receiver) received(t *testing.T) []receipt {
	t.Helper()
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if len(rv.rejected) > 0 {
		t.Errorf("receiver %s refused requests: %v", rv.name, rv.rejected)
	}
	out := make([]receipt, 0, len(rv.order))
	for _, k := range rv.order {
		out = append(out, receipt{alert: rv.alerts[k], requests: rv.requests[k], arrived: rv.arrived[k], delivered: rv.delivered[k]})
	}
	return out
}

// useSinks configures receivers as the worker's sinks: the first through
// GRANTWATCH_ALERT_WEBHOOK_URL (the sink named "webhook"), the others
// through a sinks file, named after their receivers, with their secrets in
// environment variables as the README recommends.
func (h *harness) useSinks(rvs ...*receiver) {
	h.t.Helper()
	h.setenv(alert.EnvWebhookURL, rvs[0].url)
	h.setenv(alert.EnvWebhookSecret, rvs[0].secret)
	if len(rvs) == 1 {
		return
	}
	type entry struct {
		Name      string `json:"name"`
		Type      string `json:"type"`
		URL       string `json:"url"`
		SecretEnv string `json:"secret_env"`
	}
	var file struct {
		Sinks []entry `json:"sinks"`
	}
	for _, rv := range rvs[1:] {
		env := "TEST_SINK_SECRET_" + strings.ToUpper(strings.ReplaceAll(rv.name, "-", "_"))
		h.setenv(env, rv.secret)
		file.Sinks = append(file.Sinks, entry{Name: rv.name, Type: "webhook", URL: rv.url, SecretEnv: env})
	}
	data, err := json.Marshal(file)
	if err != nil {
		h.t.Fatal(err)
	}
	path := filepath.Join(h.t.TempDir(), "sinks.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.setenv(alert.EnvSinksFile, path)
}

// alertWorkerEnv is the delivery configuration of the tests' workers: fast
// retries, a short attempt timeout and a short give-up age, so that every
// path is walked in a few seconds. The schedule is slow on purpose: tenants
// are paused and checked by `worker check` only.
func alertWorkerEnv() map[string]string {
	return map[string]string{
		alert.EnvTimeout:              "1s",
		alert.EnvRetryBase:            "100ms",
		alert.EnvRetryCap:             "400ms",
		alert.EnvGiveUpAfter:          "4s",
		"GRANTWATCH_SCHEDULE_EVERY":   "1h",
		"GRANTWATCH_ALERT_WORKERS":    "4",
		"GRANTWATCH_VERIFY_WORKERS":   "2",
		"GRANTWATCH_DB_MAX_CONNS":     "10",
		"GRANTWATCH_SHUTDOWN_TIMEOUT": shutdownBudget.String(),
	}
}

// shutdownBudget is the tests' workers' GRANTWATCH_SHUTDOWN_TIMEOUT.
const shutdownBudget = 5 * time.Second

// startAlertWorker starts `worker run` as a separate process (see
// startProcess) with alertWorkerEnv and overrides.
func (h *harness) startAlertWorker(name string, overrides map[string]string) *process {
	h.t.Helper()
	env := alertWorkerEnv()
	maps.Copy(env, overrides)
	return h.startProcess(name, env)
}

// kill ends the worker with SIGKILL: no shutdown code runs.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("killing %s: %v", p.name, err)
	}
	p.wait(t, 10*time.Second)
}

// count runs a count(*) query.
func (h *harness) count(db *pgxpool.Pool, sql string, args ...any) int {
	h.t.Helper()
	var n int
	if err := db.QueryRow(h.t.Context(), sql, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// deliveredEvents counts alert_delivered events: the sender's record of
// deliveries that succeeded.
func (h *harness) deliveredEvents(db *pgxpool.Pool) int {
	h.t.Helper()
	return h.count(db, `SELECT count(*) FROM events WHERE kind = 'alert_delivered'`)
}

// pendingDeliveries counts deliver_alert jobs that could still run.
func (h *harness) pendingDeliveries(db *pgxpool.Pool) int {
	h.t.Helper()
	return h.count(db, `SELECT count(*) FROM river_job
		WHERE kind = 'deliver_alert' AND state NOT IN ('completed', 'cancelled', 'discarded')`)
}

// settle waits until no deliver_alert job can run any more.
func (h *harness) settle(db *pgxpool.Pool) {
	h.t.Helper()
	eventually.True(h.t, 30*time.Second, "alert deliveries to settle", func() (bool, string) {
		n := h.pendingDeliveries(db)
		return n == 0, fmt.Sprintf("%d deliver_alert jobs pending", n)
	})
}

// openB takes a healthy paused tenant through a revocation of the users
// scope to its confirmation, returning the confirming check.
func (h *harness) openB(c company) checkJSON {
	h.t.Helper()
	h.expect("healthy", h.check(c.ext), want{})
	if err := h.sim.RevokeScope(c.clientID, string(health.ScopeReadUsers)); err != nil {
		h.t.Fatal(err)
	}
	h.expect("first denial", h.check(c.ext), want{suspected: []health.Code{"ICD-102-B"}})
	confirmed := h.check(c.ext)
	h.expect("confirmed", confirmed, want{open: []health.Code{"ICD-102-B"}})
	return confirmed
}

// pausedTenant registers a healthy company as a paused tenant.
func (h *harness) pausedTenant(name string) company {
	h.t.Helper()
	c := h.addCompany(name, allScopes, true)
	h.addTenant(c, c.secret)
	h.mustRun("", "tenant", "pause", c.ext)
	return c
}

// status returns `status ID --json`.
func (h *harness) status(ext string) statusJSON {
	h.t.Helper()
	var st statusJSON
	if err := json.Unmarshal([]byte(h.mustRun("", "status", ext, "--json")), &st); err != nil {
		h.t.Fatalf("status --json: %v", err)
	}
	return st
}

// TestAlertsOncePerSinkPerTransition: a scope revoked and confirmed makes
// exactly one firing alert per sink, restoring it exactly one resolved
// alert, which names the same incident and when it opened. Nothing is
// delivered twice, and each delivery is on record as alert_delivered.
func TestAlertsOncePerSinkPerTransition(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	db := h.pool()
	primary, backup := newReceiver(t, "primary", accept), newReceiver(t, "backup", accept)
	h.useSinks(primary, backup)
	c := h.pausedTenant("acme")
	w := h.startAlertWorker("worker", nil)

	if got := h.openB(c); got.Alerts != 1 {
		t.Errorf("the confirming check enqueued %d alerts, want 1", got.Alerts)
	}
	h.settle(db)
	if err := h.sim.GrantScope(c.clientID, string(health.ScopeReadUsers)); err != nil {
		t.Fatal(err)
	}
	restored := h.check(c.ext)
	h.expect("restored", restored, want{})
	if restored.Alerts != 1 {
		t.Errorf("the restoring check enqueued %d alerts, want 1", restored.Alerts)
	}
	h.settle(db)
	w.terminate(t, shutdownBudget)

	for _, rv := range []*receiver{primary, backup} {
		got := rv.received(t)
		if len(got) != 2 {
			t.Fatalf("%s received %d alerts, want a firing and a resolved one: %+v", rv.name, len(got), got)
		}
		firing, resolved := got[0], got[1]
		for _, r := range got {
			if r.requests != 1 || r.delivered != 1 {
				t.Errorf("%s: alert %s came %d times (%d accepted), want once", rv.name, r.alert.Key, r.requests, r.delivered)
			}
			if r.alert.Code != "ICD-102-B" || r.alert.Test || r.alert.Key != fmt.Sprint(r.alert.EventID) {
				t.Errorf("%s: unexpected alert %+v", rv.name, r.alert)
			}
		}
		if firing.alert.State != "firing" || firing.alert.Kind != "incident_opened" {
			t.Errorf("%s: first alert %+v, want the incident's opening", rv.name, firing.alert)
		}
		if resolved.alert.State != "resolved" || resolved.alert.Kind != "incident_resolved" || resolved.alert.ResolvedAt == nil {
			t.Errorf("%s: second alert %+v, want the incident's resolution", rv.name, resolved.alert)
		}
		if resolved.alert.IncidentID == 0 || resolved.alert.IncidentID != firing.alert.IncidentID {
			t.Errorf("%s: incident ids firing %d, resolved %d", rv.name, firing.alert.IncidentID, resolved.alert.IncidentID)
		}
		if firing.alert.OpenedAt == nil || resolved.alert.OpenedAt == nil || !resolved.alert.OpenedAt.Equal(*firing.alert.OpenedAt) {
			t.Errorf("%s: opened_at firing %v, resolved %v: want the same time on both", rv.name, firing.alert.OpenedAt, resolved.alert.OpenedAt)
		}
	}
	if n := h.deliveredEvents(db); n != 4 {
		t.Errorf("%d alert_delivered events, want 4 (two alerts, two sinks)", n)
	}
	if st := h.status(c.ext); len(st.Undelivered) != 0 {
		t.Errorf("undelivered alerts after clean deliveries: %+v", st.Undelivered)
	}
}

// TestAlertsSurviveSIGKILL: the event is written and its alert enqueued
// while no worker runs; the first worker takes the job and is killed with
// SIGKILL in the middle of the POST; a second worker rescues the job and
// delivers it. The design promises at least once delivery with a stable
// key: the receiver sees the alert twice (the interrupted request and the
// redelivery) under one Idempotency-Key and one body, acts on it once,
// and the sender records exactly one delivery.
func TestAlertsSurviveSIGKILL(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	db := h.pool()
	rv := newReceiver(t, "primary", hangFirst)
	rv.arrivals = make(chan string, 4)
	h.useSinks(rv)
	c := h.pausedTenant("acme")

	h.openB(c) // no worker yet: the job waits in River
	if n := h.pendingDeliveries(db); n != 1 {
		t.Fatalf("%d deliveries pending after the confirming check, want 1", n)
	}
	first := h.startAlertWorker("first", map[string]string{alert.EnvTimeout: "30s"})
	var key string
	select {
	case key = <-rv.arrivals:
	case <-time.After(30 * time.Second):
		t.Fatal("the first worker never posted the alert")
	}
	first.kill(t)
	var state string
	if err := db.QueryRow(t.Context(), `SELECT state::text FROM river_job WHERE kind = 'deliver_alert'`).Scan(&state); err != nil {
		t.Fatal(err)
	}
	if state != "running" {
		t.Fatalf("after SIGKILL the delivery job is %s, want running (stuck until rescued)", state)
	}

	// The second worker rescues the stuck job as soon as it leads and the
	// job has outlived its timeout (the attempt timeout plus margin).
	second := h.startAlertWorker("second", map[string]string{
		alert.EnvTimeout: "500ms", "GRANTWATCH_JOB_TIMEOUT": "1s", "GRANTWATCH_RESCUE_AFTER": "2s",
	})
	eventually.True(t, 60*time.Second, "the rescued alert to be delivered", func() (bool, string) {
		n := h.pendingDeliveries(db)
		return n == 0, fmt.Sprintf("%d deliveries pending", n)
	})
	second.terminate(t, shutdownBudget)

	got := rv.received(t)
	if len(got) != 1 || got[0].alert.Key != key {
		t.Fatalf("receiver acted on %+v, want the one alert %s", got, key)
	}
	if got[0].requests != 2 || got[0].delivered != 1 {
		t.Errorf("alert %s: %d requests, %d accepted; want the interrupted one and one redelivery", key, got[0].requests, got[0].delivered)
	}
	if n := h.deliveredEvents(db); n != 1 {
		t.Errorf("%d alert_delivered events, want 1", n)
	}
}

// TestAlertDeliveryRetries: each sink gets its own job and its own fate. A
// receiver answering 500 at first gets the alert once it recovers; one that
// hangs past the attempt timeout is tried again; one that answers 429 with
// Retry-After is left alone that long; a 400 is final at once, and one that
// never recovers is given up on after the give-up age. The two failures
// are alert_failed events that `status --json` lists.
func TestAlertDeliveryRetries(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	db := h.pool()
	flaky := newReceiver(t, "flaky", failFirst(2, http.StatusInternalServerError))
	slow := newReceiver(t, "slow", hangFirst)
	busy := newReceiver(t, "busy", busyFirst)
	rejecting := newReceiver(t, "rejecting", always(http.StatusBadRequest))
	down := newReceiver(t, "down", always(http.StatusBadGateway))
	h.useSinks(flaky, slow, busy, rejecting, down)
	c := h.pausedTenant("acme")
	w := h.startAlertWorker("worker", nil)
	h.openB(c)
	h.settle(db)
	w.terminate(t, shutdownBudget)

	tests := []struct {
		rv                  *receiver
		minReq, maxReq, acc int
	}{
		{flaky, 3, 3, 1},
		{slow, 2, 2, 1},
		{busy, 2, 2, 1},
		{rejecting, 1, 1, 0},
		{down, 2, 100, 0},
	}
	for _, tt := range tests {
		got := tt.rv.received(t)
		if len(got) != 1 {
			t.Errorf("%s acted on %d alerts, want 1", tt.rv.name, len(got))
			continue
		}
		if r := got[0]; r.requests < tt.minReq || r.requests > tt.maxReq || r.delivered != tt.acc {
			t.Errorf("%s: %d requests (want %d to %d), %d accepted (want %d)", tt.rv.name, r.requests, tt.minReq, tt.maxReq, r.delivered, tt.acc)
		}
	}

	if got := busy.received(t); len(got) == 1 && len(got[0].arrived) == 2 {
		// Retries come within about a second (a 100ms backoff plus River's
		// one-second poll); only Retry-After explains three.
		if gap := got[0].arrived[1].Sub(got[0].arrived[0]); gap < 2900*time.Millisecond {
			t.Errorf("busy was asked again %s after its Retry-After: 3", gap)
		}
	}

	st := h.status(c.ext)
	var failedSinks []string
	for _, u := range st.Undelivered {
		failedSinks = append(failedSinks, u.Sink)
		if u.Code != "ICD-102-B" || u.Error == "" || u.Attempts < 1 || u.AlertEventID == 0 || u.IdempotencyKey != fmt.Sprint(u.AlertEventID) {
			t.Errorf("undelivered alert %+v: want its code, key, attempts and error", u)
		}
	}
	slices.Sort(failedSinks)
	if !slices.Equal(failedSinks, []string{"down", "rejecting"}) {
		t.Errorf("status lists undelivered alerts for sinks %v, want [down rejecting]", failedSinks)
	}
	// The history lists the same failures, across tenants.
	var listed []view.Undelivered
	if err := json.Unmarshal([]byte(h.mustRun("", "history", "--undelivered", "--json")), &listed); err != nil {
		t.Fatal(err)
	}
	var listedSinks []string
	for _, u := range listed {
		listedSinks = append(listedSinks, u.Sink)
		if u.Tenant != c.ext {
			t.Errorf("history --undelivered: %+v names tenant %q, want %q", u, u.Tenant, c.ext)
		}
	}
	slices.Sort(listedSinks)
	if !slices.Equal(listedSinks, failedSinks) {
		t.Errorf("history --undelivered lists sinks %v, status %v", listedSinks, failedSinks)
	}
	if out := h.mustRun("", "history", "--undelivered", "--code", "ICD-100-A"); !strings.Contains(out, "no undelivered alerts") {
		t.Errorf("history --undelivered --code ICD-100-A: %q", out)
	}
	if n := h.deliveredEvents(db); n != 3 {
		t.Errorf("%d alert_delivered events, want 3 (flaky, slow and busy)", n)
	}
}

// TestNoAlertWithoutConfirmedChange: a definitive denial followed by a
// restore before confirmation, and an outage of all of Ironclad across
// tenants, send nothing: no delivery is ever enqueued, and a worker that
// runs throughout delivers nothing.
func TestNoAlertWithoutConfirmedChange(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	db := h.pool()
	rv := newReceiver(t, "primary", accept)
	h.useSinks(rv)
	flicker := h.pausedTenant("flicker")
	steady := h.pausedTenant("steady")
	losing := h.pausedTenant("losing")
	w := h.startAlertWorker("worker", nil)

	h.expect("flicker healthy", h.check(flicker.ext), want{})
	if err := h.sim.RevokeScope(flicker.clientID, string(health.ScopeReadUsers)); err != nil {
		t.Fatal(err)
	}
	h.expect("flicker denied", h.check(flicker.ext), want{suspected: []health.Code{"ICD-102-B"}})
	if err := h.sim.GrantScope(flicker.clientID, string(health.ScopeReadUsers)); err != nil {
		t.Fatal(err)
	}
	h.expect("flicker restored", h.check(flicker.ext), want{})
	h.expect("flicker still fine", h.check(flicker.ext), want{})

	h.expect("steady healthy", h.check(steady.ext), want{})
	h.expect("losing healthy", h.check(losing.ext), want{})
	if err := h.sim.RevokeScope(losing.clientID, string(health.ScopeReadUsers)); err != nil {
		t.Fatal(err)
	}
	h.expect("losing denied", h.check(losing.ext), want{suspected: []health.Code{"ICD-102-B"}})
	h.sim.SetFault("", ironcladsim.Fault{Kind: ironcladsim.FaultServerError})
	for range 3 {
		for _, c := range []company{steady, losing, flicker} {
			if got := h.check(c.ext); got.Conclusive || got.Alerts != 0 {
				t.Errorf("%s during the outage: %+v, want inconclusive and no alert", c.ext, got)
			}
		}
	}
	if n := h.count(db, `SELECT count(*) FROM river_job WHERE kind = 'deliver_alert'`); n != 0 {
		t.Errorf("%d alert deliveries enqueued, want none", n)
	}
	w.terminate(t, shutdownBudget)
	if got := rv.received(t); len(got) != 0 {
		t.Errorf("receiver got %+v, want nothing", got)
	}
}

// TestAlertTestCommand: `worker alert test` posts a signed test alert
// straight to every configured sink, or to the one named, and reports a
// sink that refuses it.
func TestAlertTestCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	primary, backup := newReceiver(t, "primary", accept), newReceiver(t, "backup", accept)
	h.useSinks(primary, backup)

	out := h.mustRun("", "alert", "test")
	for _, name := range []string{"webhook", "backup"} {
		if !strings.Contains(out, "sink "+name+": delivered test alert test-") {
			t.Errorf("alert test output does not report sink %s:\n%s", name, out)
		}
	}
	h.mustRun("", "alert", "test", "--sink", "backup")
	for _, tc := range []struct {
		rv   *receiver
		want int
	}{{primary, 1}, {backup, 2}} {
		got := tc.rv.received(t)
		if len(got) != tc.want {
			t.Fatalf("%s received %d test alerts, want %d", tc.rv.name, len(got), tc.want)
		}
		for _, r := range got {
			a := r.alert
			if !a.Test || a.Kind != "test" || a.State != "firing" || !strings.HasPrefix(a.Key, "test-") || a.EventID != 0 || a.Code != "" {
				t.Errorf("%s: %+v is not a test alert", tc.rv.name, a)
			}
		}
	}

	if _, errOut, code := h.run("", "alert", "test", "--sink", "nope"); code != 2 || !strings.Contains(errOut, `"nope"`) {
		t.Errorf("alert test --sink nope: exit %d, stderr %q; want a usage error naming the sink", code, errOut)
	}
	refusing := newReceiver(t, "refusing", always(http.StatusForbidden))
	h.useSinks(refusing)
	h.setenv(alert.EnvSinksFile, "")
	out, _, code := h.run("", "alert", "test")
	if code != 1 || !strings.Contains(out, "sink webhook: FAILED") || !strings.Contains(out, "HTTP 403") {
		t.Errorf("alert test to a refusing receiver: exit %d, output %q; want exit 1 and the failure", code, out)
	}
	if strings.Contains(out, refusing.secret) || strings.Contains(out, "/hooks/") {
		t.Errorf("alert test output shows the secret or the URL's path: %q", out)
	}
}
