package ironclad

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

// tokenLog remembers every access token the server issued.
type tokenLog struct {
	mu     sync.Mutex
	tokens []string
}

func (l *tokenLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.tokens...)
}

// capture passes requests to next and notes the access token of every token
// answer.
func (l *tokenLog) capture(_ *ironcladsim.Sim, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/token" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var answer struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &answer) == nil && answer.AccessToken != "" {
			l.mu.Lock()
			l.tokens = append(l.tokens, answer.AccessToken)
			l.mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// echoSecrets plays a careless provider: the token endpoint refuses every
// request and repeats the client secret it was sent, and every probe is
// refused with a message repeating the bearer token.
func echoSecrets(_ *ironcladsim.Sim, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-"+r.FormValue("client_secret"))
		if r.URL.Path == "/oauth/token" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"client_secret %s is not valid"}`, r.FormValue("client_secret"))
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"code":"UNAUTHORIZED","message":"token %s is invalid"}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	})
}

// echoProbes lets the simulator issue real tokens and refuses every probe
// with a message repeating the bearer token.
func echoProbes(_ *ironcladsim.Sim, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"code":"UNAUTHORIZED","message":"token %s is invalid"}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	})
}

// TestCheckNeverRevealsSecrets runs failing and succeeding checks with a
// known secret and looks for the secret and every issued token in all that
// a check returns.
func TestCheckNeverRevealsSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		wrap         func(*ironcladsim.Sim, http.Handler) http.Handler
		registered   []health.Scope
		breakIt      func(t *testing.T, e *simEnv, tn tenant, conn *Connection)
		wantRedacted bool // the provider echoed a secret that the client had to scrub
	}{
		{name: "healthy", registered: health.Scopes},
		{name: "scope discovery", registered: []health.Scope{health.ScopeReadUsers, health.ScopeReadRecords}},
		{name: "wrong secret", registered: health.Scopes, breakIt: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
			if _, err := e.sim.RotateSecret(tn.clientID); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "probes refused", registered: health.Scopes, breakIt: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
			if err := e.sim.SetUserActive(tn.companyID, tn.email, false); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "token endpoint fault", registered: health.Scopes, breakIt: func(t *testing.T, e *simEnv, tn tenant, conn *Connection) {
			e.sim.SetFault(tn.companyID, ironcladsim.Fault{Kind: ironcladsim.FaultServerError, PathPrefix: "/oauth/token"})
		}},
		{name: "provider echoes the secret", wrap: echoSecrets, registered: health.Scopes, wantRedacted: true},
		{name: "provider echoes the token", wrap: echoProbes, registered: health.Scopes, wantRedacted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var log tokenLog
			wraps := []func(*ironcladsim.Sim, http.Handler) http.Handler{log.capture}
			if tt.wrap != nil {
				wraps = []func(*ironcladsim.Sim, http.Handler) http.Handler{log.capture, tt.wrap}
			}
			e := newSimEnv(t, ironcladsim.DialectIronclad, wraps...)
			tn := e.addTenant(t, tt.registered, true, 0)
			conn := e.conn(tn)
			if tt.breakIt != nil {
				tt.breakIt(t, e, tn, &conn)
			}
			obs, err := e.client(t, Config{}).Check(t.Context(), conn)

			var out bytes.Buffer
			fmt.Fprintf(&out, "%+v\n%#v\n%v\n", obs, obs, obs)
			if err := json.NewEncoder(&out).Encode(obs); err != nil {
				t.Fatal(err)
			}
			if err != nil {
				out.WriteString(err.Error())
			}
			for _, s := range append(log.all(), conn.ClientSecret.Reveal(), url.QueryEscape(conn.ClientSecret.Reveal())) {
				if strings.Contains(out.String(), s) {
					t.Errorf("a secret or token appears in what Check returned:\n%s", out.String())
				}
			}
			if tt.wantRedacted != strings.Contains(out.String(), "[redacted]") {
				t.Errorf("redaction marker present = %v, want %v:\n%s", !tt.wantRedacted, tt.wantRedacted, out.String())
			}
		})
	}
}
