package ironcladsim

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// allScopes are the five integration scopes.
var allScopes = demoScopes()

// fakeClock is a clock that moves only when told to: a fixed start plus an
// offset that tests advance.
type fakeClock struct{ offset atomic.Int64 }

// clockStart is 30 seconds into a minute, so rate-limit windows are visible.
var clockStart = time.Date(2025, 3, 1, 12, 0, 30, 0, time.UTC)

func (c *fakeClock) Now() time.Time { return clockStart.Add(time.Duration(c.offset.Load())) }

func (c *fakeClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// env is a simulator served over real HTTP with one seeded company.
type env struct {
	sim    *Sim
	srv    *httptest.Server
	clock  *fakeClock
	demo   DemoCompany
	client *http.Client
}

// newEnv starts a simulator with a demo company on an httptest server.
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	clock := new(fakeClock)
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	s := New(opts)
	demo, err := s.SeedDemo()
	if err != nil {
		t.Fatalf("SeedDemo: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{sim: s, srv: srv, clock: clock, demo: demo, client: newClient(t)}
}

// newClient returns a client with its own connection pool: parallel tests
// must not share http.DefaultTransport, whose idle connections every
// httptest.Server.Close drops.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Timeout: 5 * time.Second, Transport: tr}
}

// response is what a test saw of an HTTP exchange.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any // nil when the body is not a JSON object
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// do sends a request with the env's client (5-second timeout) and reads the
// answer.
func (e *env) do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s %s: %v", req.Method, req.URL.Path, err)
	}
	out := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// tokenCreds says how a token request carries the client's credentials.
type tokenCreds struct {
	id, secret string
	basic      bool // HTTP Basic instead of body fields
}

// tokenRequest builds a POST /oauth/token; json selects a JSON body instead of
// a form. scope nil means no scope parameter.
func (e *env) tokenRequest(t *testing.T, c tokenCreds, scope *string, jsonBody bool) *http.Request {
	t.Helper()
	fields := map[string]string{"grant_type": "client_credentials"}
	if scope != nil {
		fields["scope"] = *scope
	}
	if !c.basic {
		fields["client_id"], fields["client_secret"] = c.id, c.secret
	}
	var body, contentType string
	if jsonBody {
		b, _ := json.Marshal(fields)
		body, contentType = string(b), "application/json"
	} else {
		form := url.Values{}
		for k, v := range fields {
			form.Set(k, v)
		}
		body, contentType = form.Encode(), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+tokenPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if c.basic {
		req.Header.Set("Authorization", basicHeader(c.id, c.secret))
	}
	return req
}

// basicHeader encodes client credentials as RFC 6749 §2.3.1 requires.
func basicHeader(id, secret string) string {
	raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(raw))
}

// creds returns the demo company's credentials sent in the body.
func (e *env) creds() tokenCreds { return tokenCreds{id: e.demo.ClientID, secret: e.demo.ClientSecret} }

// token obtains a token for the demo app with the given scopes (nil: all).
func (e *env) token(t *testing.T, scopes ...string) string {
	t.Helper()
	var scope *string
	if scopes != nil {
		s := strings.Join(scopes, " ")
		scope = &s
	}
	resp := e.do(t, e.tokenRequest(t, e.creds(), scope, false))
	if resp.status != http.StatusOK {
		t.Fatalf("token request: status %d, body %s", resp.status, resp.raw)
	}
	return resp.str("access_token")
}

// get sends a GET with a bearer token (if any) acting as the user (if any).
func (e *env) get(t *testing.T, path, token, actingEmail string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if actingEmail != "" {
		req.Header.Set("X-As-User-Email", actingEmail)
	}
	return e.do(t, req)
}

func ptr[T any](v T) *T { return &v }
