package ironclad

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
	"github.com/grantwatch/grantwatch/internal/secret"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// simClock is the simulator's fixed clock: its rate-limit windows then never
// roll over in the middle of a test.
func simClock() time.Time { return time.Date(2025, 3, 1, 12, 0, 30, 0, time.UTC) }

// testTimeout is the per-call timeout of tests that expect answers: long
// enough for a loaded machine running -race.
const testTimeout = 5 * time.Second

// simEnv is a simulated Ironclad served over real HTTP.
type simEnv struct {
	sim *ironcladsim.Sim
	srv *httptest.Server
}

// newSimEnv starts a simulator. wrap, when given, sits in front of it (to
// watch or alter exchanges the simulator cannot produce on its own).
func newSimEnv(t testing.TB, dialect ironcladsim.Dialect, wrap ...func(*ironcladsim.Sim, http.Handler) http.Handler) *simEnv {
	t.Helper()
	sim := ironcladsim.New(ironcladsim.Options{Now: simClock, Dialect: dialect})
	var h http.Handler = sim
	for _, w := range wrap {
		h = w(sim, h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &simEnv{sim: sim, srv: srv}
}

// client returns a Client allowed to reach the simulator. cfg's zero fields
// get test defaults.
func (e *simEnv) client(t testing.TB, cfg Config) *Client {
	t.Helper()
	cfg.AllowBaseURLs = append(cfg.AllowBaseURLs, e.srv.URL)
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = testTimeout
	}
	if cfg.Now == nil {
		cfg.Now = simClock
	}
	c := New(cfg)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// tenant is one company with one application and one active user.
type tenant struct {
	companyID, clientID, secret, email string
}

// addTenant adds a company whose application registers scopes, with the
// client credentials grant enabled or not. ratePerMinute 0 means Ironclad's
// documented limits.
func (e *simEnv) addTenant(t testing.TB, scopes []health.Scope, clientCredentials bool, ratePerMinute int) tenant {
	t.Helper()
	tn := tenant{
		companyID: "company-" + rand.Text(),
		clientID:  newUUID(),
		secret:    "s3cr+t/=" + rand.Text(), // characters that change when form-encoded
		email:     "admin@example.com",
	}
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	if err := e.sim.AddCompany(tn.companyID, ratePerMinute); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddApp(tn.companyID, ironcladsim.App{
		ClientID: tn.clientID, ClientSecret: tn.secret, Scopes: names, ClientCredentials: clientCredentials,
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddUser(tn.companyID, tn.email); err != nil {
		t.Fatal(err)
	}
	return tn
}

// conn is the connection of a tenant on the simulator.
func (e *simEnv) conn(tn tenant) Connection {
	return Connection{
		ClientID:        tn.clientID,
		ClientSecret:    secret.New(tn.secret),
		BaseURL:         e.srv.URL,
		ActingUserEmail: tn.email,
		Generation:      7,
	}
}

// newUUID returns a random version 4 UUID, the form of Ironclad client ids.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// check runs a check that must produce an observation.
func check(t *testing.T, c *Client, conn Connection) health.Observation {
	t.Helper()
	obs, err := c.Check(t.Context(), conn)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return obs
}

// usable and granted build expected scope observations.
func scopeObs(granted, usable health.Outcome) health.ScopeObservation {
	return health.ScopeObservation{Granted: granted, Usable: usable}
}

// allGranted is the scope table of a healthy tenant: every scope granted,
// the first scope of each capability usable, its sibling not probed.
func allGranted() map[health.Scope]health.ScopeObservation {
	ok, unobserved := health.OutcomeOK, health.OutcomeUnobserved
	return map[health.Scope]health.ScopeObservation{
		health.ScopeReadUsers:        scopeObs(ok, ok),
		health.ScopeReadWorkflows:    scopeObs(ok, ok),
		health.ScopeReadParticipants: scopeObs(ok, unobserved),
		health.ScopeReadRecords:      scopeObs(ok, ok),
		health.ScopeReadAttachments:  scopeObs(ok, unobserved),
	}
}

// calls lists the calls of an observation's evidence, "scope" appended
// when the exchange names one.
func calls(obs health.Observation) []string {
	out := make([]string, len(obs.Evidence))
	for i, ev := range obs.Evidence {
		out[i] = ev.Call
		if ev.Scope != "" {
			out[i] += " " + string(ev.Scope)
		}
	}
	return out
}

// assertCalls checks the exchanges of an observation, in order.
func assertCalls(t *testing.T, obs health.Observation, want ...string) {
	t.Helper()
	if got := calls(obs); !slices.Equal(got, want) {
		t.Errorf("calls =\n\t%q\nwant\n\t%q", got, want)
	}
}

// assertNeverDenied checks that nothing in an observation claims a
// definitive refusal.
func assertNeverDenied(t *testing.T, obs health.Observation) {
	t.Helper()
	if obs.Credentials == health.OutcomeDenied || obs.Grant == health.OutcomeDenied {
		t.Errorf("credentials %q, grant %q: want neither denied", obs.Credentials, obs.Grant)
	}
	for s, so := range obs.Scopes {
		if so.Granted == health.OutcomeDenied || so.Usable == health.OutcomeDenied {
			t.Errorf("scope %s = %+v: want nothing denied", s, so)
		}
	}
	for _, ev := range obs.Evidence {
		if ev.Outcome == health.OutcomeDenied {
			t.Errorf("evidence %+v: want nothing denied", ev)
		}
	}
}

// The calls of a check, as evidence names them.
const (
	callUsers        = "GET /scim/v2/Users scim.users.readUsers"
	callWorkflows    = "GET /public/api/v1/workflows public.workflows.readWorkflows"
	callParticipants = "GET /public/api/v1/workflows/{id}/participants public.workflows.readParticipants"
	callRecords      = "GET /public/api/v1/records public.records.readRecords"
	callAttachments  = "GET /public/api/v1/records/{id}/attachments/{key} public.records.readAttachments"
)

// tokenCallFor names the per-scope token request of a scope.
func tokenCallFor(s health.Scope) string { return tokenCall + " " + string(s) }
