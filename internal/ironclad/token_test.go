package ironclad

import (
	"maps"
	"testing"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

var dialects = []ironcladsim.Dialect{ironcladsim.DialectIronclad, ironcladsim.DialectRFC}

func TestCheckHealthyTenant(t *testing.T) {
	t.Parallel()
	for _, dialect := range dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, dialect)
			tn := e.addTenant(t, health.Scopes, true, 0)
			obs := check(t, e.client(t, Config{}), e.conn(tn))

			if obs.ClientID != tn.clientID || obs.Generation != 7 || !obs.ObservedAt.Equal(simClock()) {
				t.Errorf("identity = %q, %d, %v; want the connection's and the clock's", obs.ClientID, obs.Generation, obs.ObservedAt)
			}
			if obs.Credentials != health.OutcomeOK || obs.Grant != health.OutcomeOK {
				t.Errorf("credentials %q, grant %q; want ok, ok", obs.Credentials, obs.Grant)
			}
			if !maps.Equal(obs.Scopes, allGranted()) {
				t.Errorf("scopes = %v, want %v", obs.Scopes, allGranted())
			}
			assertCalls(t, obs, tokenCall, callUsers, callWorkflows, callRecords)
			for _, ev := range obs.Evidence {
				if ev.Outcome != health.OutcomeOK || ev.Status != 200 || ev.RequestID == "" || ev.Latency <= 0 {
					t.Errorf("evidence %+v: want ok, 200, a request id and a latency", ev)
				}
			}
			if obs.APICalls != 4 || e.sim.Calls(tn.companyID) != 4 {
				t.Errorf("APICalls %d, simulator counted %d; want 4 (1 token + 3 probes)", obs.APICalls, e.sim.Calls(tn.companyID))
			}
		})
	}
}

// TestCheckTokenErrors covers each refusal of the token endpoint, in both
// dialects: the classification must not depend on the status a server picks.
func TestCheckTokenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup breaks the tenant (or its connection).
		setup           func(t *testing.T, e *simEnv, tn tenant, conn *Connection)
		wantStatus      map[ironcladsim.Dialect]int
		wantOAuthError  string
		wantCredentials health.Outcome
		wantGrant       health.Outcome
	}{
		{
			name: "wrong secret",
			setup: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
				if _, err := e.sim.RotateSecret(tn.clientID); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus:     map[ironcladsim.Dialect]int{ironcladsim.DialectIronclad: 401, ironcladsim.DialectRFC: 401},
			wantOAuthError: "invalid_client", wantCredentials: health.OutcomeDenied,
		},
		{
			name: "unknown client",
			setup: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
				conn.ClientID = newUUID()
			},
			wantStatus:     map[ironcladsim.Dialect]int{ironcladsim.DialectIronclad: 401, ironcladsim.DialectRFC: 401},
			wantOAuthError: "invalid_client", wantCredentials: health.OutcomeDenied,
		},
		{
			name: "deleted app",
			setup: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
				if err := e.sim.DeleteApp(tn.clientID); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus:     map[ironcladsim.Dialect]int{ironcladsim.DialectIronclad: 401, ironcladsim.DialectRFC: 401},
			wantOAuthError: "invalid_client", wantCredentials: health.OutcomeDenied,
		},
		{
			name: "client id not a UUID",
			setup: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
				conn.ClientID = "not-a-uuid"
			},
			wantStatus:     map[ironcladsim.Dialect]int{ironcladsim.DialectIronclad: 400, ironcladsim.DialectRFC: 400},
			wantOAuthError: "invalid_request", wantCredentials: health.OutcomeDenied,
		},
		{
			name: "client credentials grant disabled",
			setup: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
				if err := e.sim.SetClientCredentialsGrant(tn.clientID, false); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus:     map[ironcladsim.Dialect]int{ironcladsim.DialectIronclad: 403, ironcladsim.DialectRFC: 400},
			wantOAuthError: "unauthorized_client", wantCredentials: health.OutcomeOK, wantGrant: health.OutcomeDenied,
		},
	}
	for _, dialect := range dialects {
		for _, tt := range tests {
			t.Run(string(dialect)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				e := newSimEnv(t, dialect)
				tn := e.addTenant(t, health.Scopes, true, 0)
				conn := e.conn(tn)
				tt.setup(t, e, tn, &conn)
				obs := check(t, e.client(t, Config{}), conn)

				if obs.Credentials != tt.wantCredentials || obs.Grant != tt.wantGrant {
					t.Errorf("credentials %q, grant %q; want %q, %q", obs.Credentials, obs.Grant, tt.wantCredentials, tt.wantGrant)
				}
				if len(obs.Scopes) != 0 {
					t.Errorf("scopes = %v, want none observed", obs.Scopes)
				}
				assertCalls(t, obs, tokenCall)
				ev := obs.Evidence[0]
				if ev.Status != tt.wantStatus[dialect] || ev.OAuthError != tt.wantOAuthError || ev.Outcome != health.OutcomeDenied || ev.Message == "" || ev.RequestID == "" {
					t.Errorf("evidence %+v: want status %d, %s, denied, a message and a request id", ev, tt.wantStatus[dialect], tt.wantOAuthError)
				}
				if obs.APICalls != 1 {
					t.Errorf("APICalls = %d, want 1 (no AutoDetect retry)", obs.APICalls)
				}
			})
		}
	}
}

// TestCheckDiscoversScopes: the app lacks some scopes, so the request for
// all five fails with invalid_scope and one request per scope tells which
// are granted; each granted scope is probed with its own token.
func TestCheckDiscoversScopes(t *testing.T) {
	t.Parallel()
	ok, denied, unobserved := health.OutcomeOK, health.OutcomeDenied, health.OutcomeUnobserved
	perScope := []string{
		tokenCall,
		tokenCallFor(health.ScopeReadUsers), tokenCallFor(health.ScopeReadWorkflows), tokenCallFor(health.ScopeReadParticipants),
		tokenCallFor(health.ScopeReadRecords), tokenCallFor(health.ScopeReadAttachments),
	}
	tests := []struct {
		name       string
		registered []health.Scope
		wantGrant  health.Outcome
		wantScopes map[health.Scope]health.ScopeObservation
		wantProbes []string
	}{
		{
			name:       "second scope of each capability",
			registered: []health.Scope{health.ScopeReadUsers, health.ScopeReadParticipants, health.ScopeReadAttachments},
			wantGrant:  ok,
			wantScopes: map[health.Scope]health.ScopeObservation{
				health.ScopeReadUsers:        scopeObs(ok, ok),
				health.ScopeReadWorkflows:    scopeObs(denied, unobserved),
				health.ScopeReadParticipants: scopeObs(ok, ok), // a placeholder 404 proves it usable
				health.ScopeReadRecords:      scopeObs(denied, unobserved),
				health.ScopeReadAttachments:  scopeObs(ok, ok),
			},
			wantProbes: []string{callUsers, callParticipants, callAttachments},
		},
		{
			name:       "users only",
			registered: []health.Scope{health.ScopeReadUsers, "public.workflows.createWorkflows"},
			wantGrant:  ok,
			wantScopes: map[health.Scope]health.ScopeObservation{
				health.ScopeReadUsers:        scopeObs(ok, ok),
				health.ScopeReadWorkflows:    scopeObs(denied, unobserved),
				health.ScopeReadParticipants: scopeObs(denied, unobserved),
				health.ScopeReadRecords:      scopeObs(denied, unobserved),
				health.ScopeReadAttachments:  scopeObs(denied, unobserved),
			},
			wantProbes: []string{callUsers},
		},
		{
			name:       "no integration scope",
			registered: []health.Scope{"public.workflows.createWorkflows"},
			wantGrant:  unobserved, // no token was issued, so the grant type was never tested
			wantScopes: map[health.Scope]health.ScopeObservation{
				health.ScopeReadUsers:        scopeObs(denied, unobserved),
				health.ScopeReadWorkflows:    scopeObs(denied, unobserved),
				health.ScopeReadParticipants: scopeObs(denied, unobserved),
				health.ScopeReadRecords:      scopeObs(denied, unobserved),
				health.ScopeReadAttachments:  scopeObs(denied, unobserved),
			},
		},
	}
	for _, dialect := range dialects {
		for _, tt := range tests {
			t.Run(string(dialect)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				e := newSimEnv(t, dialect)
				tn := e.addTenant(t, tt.registered, true, 0)
				obs := check(t, e.client(t, Config{}), e.conn(tn))

				if obs.Credentials != ok || obs.Grant != tt.wantGrant {
					t.Errorf("credentials %q, grant %q; want ok, %q", obs.Credentials, obs.Grant, tt.wantGrant)
				}
				if !maps.Equal(obs.Scopes, tt.wantScopes) {
					t.Errorf("scopes = %v, want %v", obs.Scopes, tt.wantScopes)
				}
				assertCalls(t, obs, append(perScope, tt.wantProbes...)...)
				if ev := obs.Evidence[0]; ev.Status != 400 || ev.OAuthError != "invalid_scope" || ev.Outcome != denied {
					t.Errorf("first token evidence %+v: want 400 invalid_scope denied", ev)
				}
				for _, ev := range obs.Evidence[1:6] {
					want := map[health.Outcome]string{ok: "", denied: "invalid_scope"}[tt.wantScopes[ev.Scope].Granted]
					if ev.OAuthError != want || ev.Outcome != tt.wantScopes[ev.Scope].Granted {
						t.Errorf("per-scope evidence %+v: want outcome %q, error %q", ev, tt.wantScopes[ev.Scope].Granted, want)
					}
				}
				if n := e.sim.Calls(tn.companyID); obs.APICalls != n || n > 9 {
					t.Errorf("APICalls %d, simulator counted %d; want equal and at most 9", obs.APICalls, n)
				}
			})
		}
	}
}
