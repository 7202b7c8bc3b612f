package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/view"
)

const apiTestToken = "api-test-token-1d2c"

// apiClient talks to the HTTP API of a worker built by newWorker, exactly
// as `worker run` builds it, and keeps every answer for the secret search.
type apiClient struct {
	t       *testing.T
	base    string
	answers []string
}

// startAPI builds the worker's HTTP server from the harness's environment
// (with the API token and debug logging, written to logs) and serves it on
// a free port. River is not started: the API needs only the database.
func (h *harness) startAPI(logs io.Writer) *apiClient {
	h.t.Helper()
	h.setenv("GRANTWATCH_API_TOKEN", apiTestToken)
	h.setenv("LOG_LEVEL", "debug")
	e := &env{io: IO{Stdin: strings.NewReader(""), Stdout: logs, Stderr: logs}, getenv: h.getenv}
	d, err := openDeps(h.t.Context(), e, depsOptions{keyring: true})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(d.Close)
	w, err := newWorker(h.t.Context(), e, d)
	if err != nil {
		h.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	go func() { _ = w.http.Serve(ln) }()
	h.t.Cleanup(func() { _ = w.http.Shutdown(context.Background()) })
	return &apiClient{t: h.t, base: "http://" + ln.Addr().String()}
}

// do sends an authenticated request and fails the test unless the answer
// has the wanted status; it returns the body.
func (c *apiClient) do(method, path, body string, want int) []byte {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+apiTestToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	c.answers = append(c.answers, resp.Header.Get("Location")+string(b))
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, resp.StatusCode, want, b)
	}
	return b
}

// apiDecode reads a JSON answer into a new T.
func apiDecode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %T: %v; body: %s", v, err, b)
	}
	return v
}

// sameJSON fails unless two documents hold the same JSON values.
func sameJSON(t *testing.T, what string, api, cli []byte) {
	t.Helper()
	a, c := apiDecode[any](t, api), apiDecode[any](t, cli)
	if !reflect.DeepEqual(a, c) {
		t.Errorf("%s: the API and the CLI disagree\napi: %s\ncli: %s", what, api, cli)
	}
}

// apiFields returns the fields a 400 answer names.
func apiFields(t *testing.T, b []byte) []string {
	t.Helper()
	var e struct {
		Error struct {
			Fields []struct{ Field string } `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("decoding an error answer: %v; body: %s", err, b)
	}
	var out []string
	for _, f := range e.Error.Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestAPIEndToEnd drives a tenant through the HTTP API against the real
// store and the simulated Ironclad, checks that the API and the CLI show
// the same JSON, and searches every answer and the log for the secrets.
func TestAPIEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	co := h.addCompany("acme", without(allScopes, health.ScopeReadUsers), true)
	const wrongSecret = "wrong-secret-7b3e9f"
	logs := &lockedBuffer{}
	api := h.startAPI(logs)

	body := `{"external_id":"acme","name":"Acme Corp","base_url":"` + h.simURL + `","client_id":"` + co.clientID +
		`","client_secret":"` + co.secret + `","acting_user_email":"` + co.email + `","interval":"1h"}`
	created := apiDecode[view.Tenant](t, api.do("POST", "/v1/tenants", body, http.StatusCreated))
	if created.ExternalID != "acme" || created.Name != "Acme Corp" || created.Generation != 1 || created.Interval != "1h0m0s" {
		t.Errorf("created %+v", created)
	}
	api.do("POST", "/v1/tenants", body, http.StatusConflict)
	sameJSON(t, "tenant show", api.do("GET", "/v1/tenants/acme", "", http.StatusOK), []byte(h.mustRun("", "tenant", "show", "acme", "--json")))

	// What only the backend can judge: the allow list and the store's rules.
	for _, tt := range []struct {
		replace, with string
		fields        []string
	}{
		{h.simURL, "http://elsewhere.example", []string{"base_url"}},
		{co.email, "not-an-email", []string{"acting_user_email"}},
		{`"1h"`, `"1000h"`, []string{"interval"}},
		{`"acme"`, `"bad id!"`, []string{"external_id"}},
	} {
		b := api.do("POST", "/v1/tenants", strings.Replace(body, tt.replace, tt.with, 1), http.StatusBadRequest)
		if got := apiFields(t, b); !slices.Equal(got, tt.fields) {
			t.Errorf("%s -> %s: fields %v, want %v", tt.replace, tt.with, got, tt.fields)
		}
	}

	// Check now: the users scope was never granted.
	c := apiDecode[view.Check](t, api.do("POST", "/v1/tenants/acme/check", "", http.StatusOK))
	if !c.Conclusive || !slices.Equal(c.Open, []health.Code{"ICD-102-A"}) || c.Scopes[health.ScopeReadUsers] != "never_granted" {
		t.Errorf("check = %+v, want ICD-102-A open", c)
	}
	cliCheck := h.check("acme") // a second check, through the CLI, sees the same
	if c.CheckID == cliCheck.CheckID || !slices.Equal(cliCheck.Open, c.Open) || !reflect.DeepEqual(cliCheck.Scopes, c.Scopes) {
		t.Errorf("API check %+v and CLI check %+v disagree", c, cliCheck)
	}
	sameJSON(t, "status", api.do("GET", "/v1/tenants/acme/status", "", http.StatusOK), []byte(h.mustRun("", "status", "acme", "--json")))
	sameJSON(t, "incidents", api.do("GET", "/v1/tenants/acme/incidents", "", http.StatusOK),
		[]byte(h.mustRun("", "history", "--tenant", "acme", "--json")))
	open := apiDecode[[]view.Incident](t, api.do("GET", "/v1/incidents?tenant=acme&code=icd-102-a&open=true&since=1h", "", http.StatusOK))
	if len(open) != 1 || open[0].Code != "ICD-102-A" || open[0].State != "open" || open[0].Message == "" {
		t.Errorf("open ICD-102-A incidents = %+v", open)
	}

	// Rotating to a wrong secret starts a generation whose credentials
	// never worked; rotating back to the right one clears it.
	rot := apiDecode[view.Tenant](t, api.do("POST", "/v1/tenants/acme/credentials", `{"client_secret":"`+wrongSecret+`"}`, http.StatusOK))
	if rot.Generation != 2 || rot.ClientID != co.clientID {
		t.Errorf("after rotation: %+v", rot)
	}
	if c := apiDecode[view.Check](t, api.do("POST", "/v1/tenants/acme/check", "", http.StatusOK)); !slices.Contains(c.Open, "ICD-100-A") {
		t.Errorf("check with the wrong secret: open %v, want ICD-100-A", c.Open)
	}
	api.do("POST", "/v1/tenants/acme/credentials", `{"client_secret":"`+co.secret+`"}`, http.StatusOK)
	if c := apiDecode[view.Check](t, api.do("POST", "/v1/tenants/acme/check", "", http.StatusOK)); !slices.Equal(c.Open, []health.Code{"ICD-102-A"}) {
		t.Errorf("check with the right secret again: open %v, want [ICD-102-A]", c.Open)
	}

	// A paused tenant can still be checked on demand.
	if p := apiDecode[view.Tenant](t, api.do("POST", "/v1/tenants/acme/pause", "", http.StatusOK)); p.State != view.TenantPaused {
		t.Errorf("after pause: %+v", p)
	}
	api.do("POST", "/v1/tenants/acme/check", "", http.StatusOK)
	api.do("POST", "/v1/tenants/acme/resume", "", http.StatusOK)
	list := apiDecode[[]view.Tenant](t, api.do("GET", "/v1/tenants?limit=10", "", http.StatusOK))
	if len(list) != 1 || list[0].State != view.TenantActive {
		t.Errorf("tenant list = %+v", list)
	}

	api.do("DELETE", "/v1/tenants/acme", "", http.StatusNoContent)
	api.do("GET", "/v1/tenants/acme", "", http.StatusNotFound)
	api.do("POST", "/v1/tenants/acme/check", "", http.StatusNotFound)
	api.do("GET", "/v1/tenants/acme/incidents", "", http.StatusNotFound)
	if all := apiDecode[[]view.Tenant](t, api.do("GET", "/v1/tenants?include_removed=true", "", http.StatusOK)); len(all) != 1 || all[0].State != view.TenantRemoved {
		t.Errorf("tenants with the removed = %+v", all)
	}

	for _, s := range []string{co.secret, wrongSecret} {
		for _, a := range api.answers {
			if strings.Contains(a, s) {
				t.Errorf("an answer holds a client secret: %s", a)
			}
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log holds a client secret:\n%s", logs)
		}
	}
	if !bytes.Contains([]byte(logs.String()), []byte(`"api request"`)) {
		t.Errorf("the log has no API request lines, so the secret search proved nothing:\n%s", logs)
	}
}
