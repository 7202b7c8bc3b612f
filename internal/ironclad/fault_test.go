package ironclad

import (
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

// TestCheckFaults: every fault, on the token endpoint or on the probes,
// yields inconclusive evidence and never a denial.
func TestCheckFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault       ironcladsim.Fault
		callTimeout time.Duration
		// wantOK: the fault is harmless (latency within the timeout).
		wantOK      bool
		wantStatus  int
		wantMessage string // a fragment of the evidence message
	}{
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultLatency, Latency: 50 * time.Millisecond}, wantOK: true, wantStatus: 200},
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultServerError}, wantStatus: 503, wantMessage: "server error"},
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultServerError, Status: 502}, wantStatus: 502, wantMessage: "server error"},
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultRateLimit}, wantStatus: 429, wantMessage: "rate limited"},
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultRateLimit, RetryAfter: "3"}, wantStatus: 429, wantMessage: "rate limited"},
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultReset}, wantMessage: "reset"},
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultHang}, callTimeout: 300 * time.Millisecond, wantMessage: "no complete answer within 300ms"},
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultMalformedJSON}, wantStatus: 200},
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultHTML200}, wantStatus: 200},
		{fault: ironcladsim.Fault{Kind: ironcladsim.FaultOversized}, wantStatus: 200, wantMessage: "response body over 1048576 bytes"},
	}
	for _, where := range []string{"token", "probes"} {
		for _, tt := range tests {
			name := where + "/" + string(tt.fault.Kind)
			if tt.fault.Status != 0 || tt.fault.RetryAfter != "" {
				name += "/with_options"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := newSimEnv(t, ironcladsim.DialectIronclad)
				tn := e.addTenant(t, health.Scopes, true, 0)
				prefixes := []string{"/oauth/token"}
				if where == "probes" {
					prefixes = []string{"/scim/", "/public/"}
				}
				for _, p := range prefixes {
					f := tt.fault
					f.PathPrefix = p
					e.sim.SetFault(tn.companyID, f)
				}
				obs := check(t, e.client(t, Config{CallTimeout: tt.callTimeout}), e.conn(tn))

				assertNeverDenied(t, obs)
				if tt.wantOK {
					if obs.Credentials != health.OutcomeOK || !maps.Equal(obs.Scopes, allGranted()) {
						t.Errorf("observation %+v: want a healthy tenant", obs)
					}
					return
				}
				faulted := obs.Evidence
				if where == "token" {
					assertCalls(t, obs, tokenCall)
					if obs.Credentials != health.OutcomeInconclusive || obs.Grant != health.OutcomeUnobserved || len(obs.Scopes) != 0 {
						t.Errorf("credentials %q, grant %q, scopes %v; want inconclusive, unobserved, none", obs.Credentials, obs.Grant, obs.Scopes)
					}
				} else {
					assertCalls(t, obs, tokenCall, callUsers, callWorkflows, callRecords)
					inconclusive := map[health.Scope]health.ScopeObservation{}
					for s, so := range allGranted() {
						if so.Usable == health.OutcomeOK {
							so.Usable = health.OutcomeInconclusive
						}
						inconclusive[s] = so
					}
					if obs.Credentials != health.OutcomeOK || obs.Grant != health.OutcomeOK || !maps.Equal(obs.Scopes, inconclusive) {
						t.Errorf("credentials %q, grant %q, scopes %v; want ok, ok, %v", obs.Credentials, obs.Grant, obs.Scopes, inconclusive)
					}
					faulted = obs.Evidence[1:]
				}
				for _, ev := range faulted {
					if ev.Outcome != health.OutcomeInconclusive || ev.Status != tt.wantStatus || !strings.Contains(ev.Message, tt.wantMessage) || ev.Message == "" {
						t.Errorf("evidence %+v: want inconclusive, status %d, a message with %q", ev, tt.wantStatus, tt.wantMessage)
					}
				}
				wantRetry := map[string]time.Duration{"3": 3 * time.Second}[tt.fault.RetryAfter]
				if retry, limited := obs.RateLimited(); limited != (tt.wantStatus == 429) || retry != wantRetry {
					t.Errorf("RateLimited() = %v, %v; want %v, %v", retry, limited, wantRetry, tt.wantStatus == 429)
				}
			})
		}
	}
}

// TestCheckRateLimited: Ironclad's own rate limit (the simulator's buckets)
// and a Retry-After given as an HTTP date.
func TestCheckRateLimited(t *testing.T) {
	t.Parallel()
	t.Run("over the company's limit", func(t *testing.T) {
		t.Parallel()
		e := newSimEnv(t, ironcladsim.DialectIronclad)
		tn := e.addTenant(t, health.Scopes, true, 1) // one request per bucket and minute
		c := e.client(t, Config{})
		if first := check(t, c, e.conn(tn)); !maps.Equal(first.Scopes, allGranted()) {
			t.Fatalf("first check scopes = %v, want a healthy tenant", first.Scopes)
		}
		obs := check(t, c, e.conn(tn))
		assertNeverDenied(t, obs)
		for _, ev := range obs.Evidence[1:] {
			if ev.Status != 429 || ev.Outcome != health.OutcomeInconclusive || ev.RetryAfter != 0 {
				t.Errorf("probe evidence %+v: want 429, inconclusive, no Retry-After", ev)
			}
		}
		if _, limited := obs.RateLimited(); !limited {
			t.Errorf("RateLimited() = false, want true")
		}
	})
	t.Run("Retry-After as an HTTP date", func(t *testing.T) {
		t.Parallel()
		e := newSimEnv(t, ironcladsim.DialectIronclad)
		tn := e.addTenant(t, health.Scopes, true, 0)
		e.sim.SetFault(tn.companyID, ironcladsim.Fault{
			Kind: ironcladsim.FaultRateLimit, PathPrefix: "/public/api/v1/records",
			RetryAfter: simClock().Add(90 * time.Second).Format(http.TimeFormat),
		})
		obs := check(t, e.client(t, Config{}), e.conn(tn))
		assertNeverDenied(t, obs)
		if retry, limited := obs.RateLimited(); !limited || retry != 90*time.Second {
			t.Errorf("RateLimited() = %v, %v; want 1m30s, true", retry, limited)
		}
		if got := obs.Scopes[health.ScopeReadRecords].Usable; got != health.OutcomeInconclusive {
			t.Errorf("records usable = %q, want inconclusive", got)
		}
		if got := obs.Scopes[health.ScopeReadUsers].Usable; got != health.OutcomeOK {
			t.Errorf("users usable = %q, want ok (only records were limited)", got)
		}
	})
}
