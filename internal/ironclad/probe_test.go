package ironclad

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

// TestCheckProbeRefusals covers the probes' definitive answers. When the
// first scope of a capability is refused, its granted sibling is tried.
func TestCheckProbeRefusals(t *testing.T) {
	t.Parallel()
	ok, denied := health.OutcomeOK, health.OutcomeDenied
	allDenied := map[health.Scope]health.ScopeObservation{
		health.ScopeReadUsers:        scopeObs(ok, denied),
		health.ScopeReadWorkflows:    scopeObs(ok, denied),
		health.ScopeReadParticipants: scopeObs(ok, denied),
		health.ScopeReadRecords:      scopeObs(ok, denied),
		health.ScopeReadAttachments:  scopeObs(ok, denied),
	}
	everyProbe := []string{tokenCall, callUsers, callWorkflows, callParticipants, callRecords, callAttachments}
	// refusedEverywhere: the SCIM probe answers a SCIM error, the Public
	// API probes answer code.
	refusedEverywhere := func(status, code string) map[health.Scope]string {
		return map[health.Scope]string{
			health.ScopeReadUsers: status + " SCIM", health.ScopeReadWorkflows: status + " " + code, health.ScopeReadParticipants: status + " " + code,
			health.ScopeReadRecords: status + " " + code, health.ScopeReadAttachments: status + " " + code,
		}
	}
	tests := []struct {
		name       string
		wrap       func(sim *ironcladsim.Sim, tn *tenant, next http.Handler) http.Handler
		setup      func(t *testing.T, e *simEnv, tn tenant, conn *Connection)
		wantScopes map[health.Scope]health.ScopeObservation
		wantCalls  []string
		// wantProbe is the status and API error of each probe, by scope.
		wantProbe map[health.Scope]string
	}{
		{
			name: "acting user deactivated",
			setup: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
				if err := e.sim.SetUserActive(tn.companyID, tn.email, false); err != nil {
					t.Fatal(err)
				}
			},
			wantScopes: allDenied,
			wantCalls:  everyProbe,
			wantProbe:  refusedEverywhere("403", "FORBIDDEN"),
		},
		{
			name: "acting user unknown",
			setup: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
				conn.ActingUserEmail = "nobody@example.com"
			},
			wantScopes: allDenied,
			wantCalls:  everyProbe,
			wantProbe:  refusedEverywhere("403", "FORBIDDEN"),
		},
		{
			name:       "app deleted between token and probes",
			wrap:       deleteAppOnFirstProbe,
			wantScopes: allDenied,
			wantCalls:  everyProbe,
			wantProbe:  refusedEverywhere("401", "UNAUTHORIZED"),
		},
		{
			// The simulator has no per-endpoint permissions, so a
			// wrapper gives Ironclad's documented 403 for the two list
			// endpoints, as for an acting user who may not list them.
			name: "granted but forbidden, sibling usable",
			wrap: forbidListEndpoints,
			wantScopes: map[health.Scope]health.ScopeObservation{
				health.ScopeReadUsers:        scopeObs(ok, ok),
				health.ScopeReadWorkflows:    scopeObs(ok, denied),
				health.ScopeReadParticipants: scopeObs(ok, ok),
				health.ScopeReadRecords:      scopeObs(ok, denied),
				health.ScopeReadAttachments:  scopeObs(ok, ok),
			},
			wantCalls: everyProbe,
			wantProbe: map[health.Scope]string{
				health.ScopeReadUsers: "200", health.ScopeReadWorkflows: "403 FORBIDDEN", health.ScopeReadParticipants: "404 NOT_FOUND",
				health.ScopeReadRecords: "403 FORBIDDEN", health.ScopeReadAttachments: "404 NOT_FOUND",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The wrapper learns the tenant once it exists, before any
			// request is made.
			var tn tenant
			var wraps []func(*ironcladsim.Sim, http.Handler) http.Handler
			if tt.wrap != nil {
				wraps = append(wraps, func(sim *ironcladsim.Sim, next http.Handler) http.Handler { return tt.wrap(sim, &tn, next) })
			}
			e := newSimEnv(t, ironcladsim.DialectIronclad, wraps...)
			tn = e.addTenant(t, health.Scopes, true, 0)
			conn := e.conn(tn)
			if tt.setup != nil {
				tt.setup(t, e, tn, &conn)
			}
			obs := check(t, e.client(t, Config{}), conn)

			if obs.Credentials != ok || obs.Grant != ok {
				t.Errorf("credentials %q, grant %q; want ok, ok", obs.Credentials, obs.Grant)
			}
			if !maps.Equal(obs.Scopes, tt.wantScopes) {
				t.Errorf("scopes = %v, want %v", obs.Scopes, tt.wantScopes)
			}
			assertCalls(t, obs, tt.wantCalls...)
			for _, ev := range obs.Evidence[1:] {
				if got := probeStatus(ev); got != tt.wantProbe[ev.Scope] {
					t.Errorf("probe of %s answered %q, want %q", ev.Scope, got, tt.wantProbe[ev.Scope])
				}
			}
			// A wrapper's own answers never reach the simulator's count.
			if n := e.sim.Calls(tn.companyID); obs.APICalls != len(tt.wantCalls) || n > obs.APICalls {
				t.Errorf("APICalls %d, simulator counted %d; want %d", obs.APICalls, n, len(tt.wantCalls))
			}
		})
	}
}

// probeStatus summarises a probe's answer as "status code", with "SCIM" as
// the code of SCIM errors (they carry none).
func probeStatus(ev health.Evidence) string {
	code := ev.APIError
	if strings.HasPrefix(ev.Call, "GET /scim/") && ev.Status >= 400 && code == "" {
		code = "SCIM"
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", ev.Status, code))
}

// deleteAppOnFirstProbe deletes the tenant's application as the first probe
// arrives: the token was issued, and is now revoked.
func deleteAppOnFirstProbe(sim *ironcladsim.Sim, tn *tenant, next http.Handler) http.Handler {
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			once.Do(func() { _ = sim.DeleteApp(tn.clientID) })
		}
		next.ServeHTTP(w, r)
	})
}

// forbidListEndpoints answers Ironclad's documented 403 to the workflow and
// record list endpoints, and passes everything else to the simulator.
func forbidListEndpoints(_ *ironcladsim.Sim, _ *tenant, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/public/api/v1/workflows" || r.URL.Path == "/public/api/v1/records" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"code":"FORBIDDEN","message":"access forbidden"}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}
