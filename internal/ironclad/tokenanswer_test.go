package ironclad

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

// onToken puts answer in front of the simulator's token endpoint; answer
// may call next to get the simulator's own answer.
func onToken(answer func(w http.ResponseWriter, r *http.Request, next http.Handler)) func(*ironcladsim.Sim, http.Handler) http.Handler {
	return func(_ *ironcladsim.Sim, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/oauth/token" {
				answer(w, r, next)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// rewriteToken edits the simulator's token answer.
func rewriteToken(edit func(map[string]any)) func(*ironcladsim.Sim, http.Handler) http.Handler {
	return onToken(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			panic(err)
		}
		edit(answer)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_ = json.NewEncoder(w).Encode(answer)
	})
}

// fixedToken answers every token request with status, headers and body.
func fixedToken(status int, body string, headers ...string) func(*ironcladsim.Sim, http.Handler) http.Handler {
	return onToken(func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
}

// TestCheckTokenAnswers covers token answers the simulator does not give on
// its own: other servers' habits, broken proxies, careless providers.
func TestCheckTokenAnswers(t *testing.T) {
	t.Parallel()
	ok, denied, inconclusive, unobserved := health.OutcomeOK, health.OutcomeDenied, health.OutcomeInconclusive, health.OutcomeUnobserved
	tests := []struct {
		name            string
		wrap            func(*ironcladsim.Sim, http.Handler) http.Handler
		wantCredentials health.Outcome
		wantScopes      map[health.Scope]health.ScopeObservation // nil: none observed
		wantCalls       []string
		wantToken       health.Evidence // the fields of the token evidence to compare (Call, Latency ignored)
	}{
		{
			name: "scope field lists a subset",
			wrap: rewriteToken(func(a map[string]any) {
				a["scope"] = "public.records.readRecords scim.users.readUsers"
			}),
			wantCredentials: ok,
			wantScopes: map[health.Scope]health.ScopeObservation{
				health.ScopeReadUsers:        scopeObs(ok, ok),
				health.ScopeReadWorkflows:    scopeObs(denied, unobserved),
				health.ScopeReadParticipants: scopeObs(denied, unobserved),
				health.ScopeReadRecords:      scopeObs(ok, ok),
				health.ScopeReadAttachments:  scopeObs(denied, unobserved),
			},
			wantCalls: []string{tokenCall, callUsers, callRecords},
			wantToken: health.Evidence{Status: 200, Outcome: ok},
		},
		{
			name:            "no scope field: the grant equals the request",
			wrap:            rewriteToken(func(a map[string]any) { delete(a, "scope") }),
			wantCredentials: ok,
			wantScopes:      allGranted(),
			wantCalls:       []string{tokenCall, callUsers, callWorkflows, callRecords},
			wantToken:       health.Evidence{Status: 200, Outcome: ok},
		},
		{
			name:            "200 without access_token",
			wrap:            fixedToken(200, `{"token_type":"Bearer","expires_in":3600}`),
			wantCredentials: inconclusive,
			wantCalls:       []string{tokenCall},
			wantToken:       health.Evidence{Status: 200, Outcome: inconclusive, Message: "oauth2: server response missing access_token"},
		},
		{
			name:            "200 carrying an OAuth error",
			wrap:            fixedToken(200, `{"error":"invalid_client","error_description":"bad"}`),
			wantCredentials: inconclusive,
			wantCalls:       []string{tokenCall},
			wantToken:       health.Evidence{Status: 200, OAuthError: "invalid_client", Outcome: inconclusive, Message: "unexpected answer without a token: bad"},
		},
		{
			name:            "unsupported_grant_type",
			wrap:            fixedToken(400, `{"error":"unsupported_grant_type"}`),
			wantCredentials: inconclusive,
			wantCalls:       []string{tokenCall},
			wantToken:       health.Evidence{Status: 400, OAuthError: "unsupported_grant_type", Outcome: inconclusive, Message: "OAuth error that is no verdict on the credentials or grants"},
		},
		{
			name:            "invalid_request about something else",
			wrap:            fixedToken(400, `{"error":"invalid_request","error_description":"missing grant_type"}`),
			wantCredentials: inconclusive,
			wantCalls:       []string{tokenCall},
			wantToken:       health.Evidence{Status: 400, OAuthError: "invalid_request", Outcome: inconclusive, Message: "OAuth error that is no verdict on the credentials or grants: missing grant_type"},
		},
		{
			name:            "401 with a garbled body",
			wrap:            fixedToken(401, `{"error":"invalid_cli`),
			wantCredentials: inconclusive,
			wantCalls:       []string{tokenCall},
			wantToken:       health.Evidence{Status: 401, Outcome: inconclusive, Message: "refusal without a parseable OAuth error"},
		},
		{
			name:            "403 from a proxy",
			wrap:            fixedToken(403, `<html><body>Request blocked</body></html>`, "Content-Type", "text/html"),
			wantCredentials: inconclusive,
			wantCalls:       []string{tokenCall},
			wantToken:       health.Evidence{Status: 403, Outcome: inconclusive, Message: "refusal without a parseable OAuth error"},
		},
		{
			name:            "Request-Id when X-Request-Id is missing",
			wrap:            fixedToken(401, `{"error":"invalid_client","error_description":"invalid client"}`, "Request-Id", "abc-123"),
			wantCredentials: denied,
			wantCalls:       []string{tokenCall},
			wantToken:       health.Evidence{Status: 401, OAuthError: "invalid_client", Outcome: denied, Message: "invalid client", RequestID: "abc-123"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, ironcladsim.DialectIronclad, tt.wrap)
			tn := e.addTenant(t, health.Scopes, true, 0)
			obs := check(t, e.client(t, Config{}), e.conn(tn))

			if obs.Credentials != tt.wantCredentials {
				t.Errorf("credentials = %q, want %q", obs.Credentials, tt.wantCredentials)
			}
			if tt.wantScopes == nil {
				tt.wantScopes = map[health.Scope]health.ScopeObservation{}
			}
			if !maps.Equal(obs.Scopes, tt.wantScopes) {
				t.Errorf("scopes = %v, want %v", obs.Scopes, tt.wantScopes)
			}
			assertCalls(t, obs, tt.wantCalls...)
			got := obs.Evidence[0]
			got.Call, got.Latency = "", 0
			if tt.wantToken.RequestID == "" {
				got.RequestID = "" // the simulator's own
			}
			if got != tt.wantToken {
				t.Errorf("token evidence = %+v, want %+v", got, tt.wantToken)
			}
		})
	}
}

func TestCheckNeverFollowsRedirects(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(elsewhere.Close)
	e := newSimEnv(t, ironcladsim.DialectIronclad, fixedToken(http.StatusTemporaryRedirect, ``, "Location", elsewhere.URL+"/oauth/token"))
	tn := e.addTenant(t, health.Scopes, true, 0)
	obs := check(t, e.client(t, Config{AllowBaseURLs: []string{elsewhere.URL}}), e.conn(tn))

	if ev := obs.Evidence[0]; ev.Status != http.StatusTemporaryRedirect || ev.Outcome != health.OutcomeInconclusive {
		t.Errorf("token evidence %+v: want the 307, inconclusive", ev)
	}
	if hits.Load() != 0 || obs.APICalls != 1 {
		t.Errorf("redirect target hit %d times, %d calls; want 0 and 1", hits.Load(), obs.APICalls)
	}
}

func TestCheckTruncatesProviderWords(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("very long description ", 500)
	e := newSimEnv(t, ironcladsim.DialectIronclad, fixedToken(401, `{"error":"invalid_client","error_description":"`+long+`"}`))
	tn := e.addTenant(t, health.Scopes, true, 0)
	obs := check(t, e.client(t, Config{}), e.conn(tn))

	msg := obs.Evidence[0].Message
	if n := utf8.RuneCountInString(msg); n > maxMessageRunes || !strings.HasPrefix(msg, "very long description") || !strings.HasSuffix(msg, "…") {
		t.Errorf("message of %d runes %q: want the start of the description, cut at %d runes", n, msg, maxMessageRunes)
	}
	if obs.Credentials != health.OutcomeDenied {
		t.Errorf("credentials = %q, want denied", obs.Credentials)
	}
}
