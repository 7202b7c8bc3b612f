package ironcladsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// adminDo sends a control request with a JSON body ("" for none).
func (e *env) adminDo(t *testing.T, method, path, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.do(t, req)
}

// step is one control request and the status it must get.
type step struct {
	method, path, body string
	status             int
}

func (e *env) run(t *testing.T, steps ...step) []response {
	t.Helper()
	var out []response
	for _, s := range steps {
		resp := e.adminDo(t, s.method, s.path, s.body)
		if resp.status != s.status {
			t.Fatalf("%s %s %s: status %d, want %d (body %s)", s.method, s.path, s.body, resp.status, s.status, resp.raw)
		}
		if resp.status >= 400 && resp.str("error") == "" {
			t.Errorf("%s %s: error body %s has no error field", s.method, s.path, resp.raw)
		}
		out = append(out, resp)
	}
	return out
}

// TestAdminTranscript drives a tenant's whole story through the /_sim/ API
// only, checking Ironclad's answers after each change.
func TestAdminTranscript(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	const user = "ops@acme.example.com"
	const apps = "/_sim/companies/acme/apps"
	e.run(t,
		step{"POST", "/_sim/companies", `{"company_id":"acme","rate_per_minute":50}`, 201},
		step{"POST", "/_sim/companies/acme/users", `{"email":"` + user + `"}`, 201},
	)
	app := e.run(t, step{"POST", apps, `{"scopes":["scim.users.readUsers","public.records.readRecords"],"client_credentials":true}`, 201})[0]
	clientID, secret := app.str("client_id"), app.str("client_secret")
	if !isUUID(clientID) || secret == "" {
		t.Fatalf("generated app %s: want a UUID client id and a secret", app.raw)
	}
	appPath := "/_sim/apps/" + clientID
	token := func(scope string) response {
		t.Helper()
		return e.do(t, e.tokenRequest(t, tokenCreds{id: clientID, secret: secret}, &scope, false))
	}
	wantToken := func(scope string, status int, code string) {
		t.Helper()
		resp := token(scope)
		if resp.status != status || resp.str("error") != code {
			t.Fatalf("token for %q: %d %s, want %d %q", scope, resp.status, resp.raw, status, code)
		}
	}

	wantToken("scim.users.readUsers", 200, "")
	wantToken("public.workflows.readWorkflows", 400, "invalid_scope")

	e.run(t, step{"POST", appPath + "/scopes/public.workflows.readWorkflows", "", 204})
	wantToken("public.workflows.readWorkflows", 200, "")
	e.run(t, step{"DELETE", appPath + "/scopes/scim.users.readUsers", "", 204})
	wantToken("scim.users.readUsers", 400, "invalid_scope")

	tok := token("public.records.readRecords").str("access_token")
	if got := e.get(t, recordsPath, tok, user).status; got != 200 {
		t.Fatalf("records as %s: %d", user, got)
	}
	e.run(t, step{"POST", "/_sim/companies/acme/users/" + url.PathEscape(user) + "/deactivate", "", 204})
	checkForbidden(t, recordsPath, e.get(t, recordsPath, tok, user))
	e.run(t, step{"POST", "/_sim/companies/acme/users/" + user + "/activate", "", 204})
	if got := e.get(t, recordsPath, tok, user).status; got != 200 {
		t.Fatalf("records after reactivation: %d", got)
	}

	e.run(t, step{"POST", "/_sim/companies/acme/deactivate", "", 204})
	checkForbidden(t, companyInfoPath, e.get(t, companyInfoPath, tok, user))
	e.run(t, step{"POST", "/_sim/companies/acme/activate", "", 204})
	if got := e.get(t, companyInfoPath, tok, user).status; got != 200 {
		t.Fatalf("company-info after reactivation: %d", got)
	}

	e.run(t, step{"PUT", appPath + "/grant", `{"client_credentials":false}`, 204})
	wantToken("public.records.readRecords", 403, "unauthorized_client")
	e.run(t, step{"POST", "/_sim/dialect", `{"dialect":"rfc"}`, 204})
	wantToken("public.records.readRecords", 400, "unauthorized_client")
	e.run(t,
		step{"POST", "/_sim/dialect", `{"dialect":"ironclad"}`, 204},
		step{"PUT", appPath + "/grant", `{"client_credentials":true}`, 204},
	)
	wantToken("public.records.readRecords", 200, "")

	rotated := e.run(t, step{"POST", appPath + "/rotate-secret", "", 200})[0]
	wantToken("public.records.readRecords", 401, "invalid_client")
	secret = rotated.str("client_secret")
	wantToken("public.records.readRecords", 200, "")

	e.run(t, step{"PUT", "/_sim/faults", `{"company_id":"acme","kind":"server_error","status":502,"path_prefix":"/oauth/"}`, 204})
	if resp := token("public.records.readRecords"); resp.status != 502 {
		t.Fatalf("faulted token request: %d", resp.status)
	}
	e.run(t, step{"DELETE", "/_sim/faults?company_id=acme", "", 204})
	e.run(t, step{"PUT", "/_sim/faults", `{"kind":"latency","latency":"1ms"}`, 204})
	wantToken("public.records.readRecords", 200, "")
	e.run(t, step{"DELETE", "/_sim/faults", "", 204})

	calls := e.run(t, step{"GET", "/_sim/companies/acme/calls", "", 200})[0]
	if calls.body["calls"] != float64(e.sim.Calls("acme")) || e.sim.Calls("acme") == 0 {
		t.Errorf("calls %s, want %d", calls.raw, e.sim.Calls("acme"))
	}
	e.run(t, step{"DELETE", "/_sim/companies/acme/calls", "", 204})
	if n := e.sim.Calls("acme"); n != 0 {
		t.Errorf("calls after reset: %d", n)
	}

	e.run(t, step{"DELETE", appPath, "", 204})
	if resp := e.get(t, recordsPath, tok, user); resp.str("message") != "token has been revoked" {
		t.Errorf("after deleting the app: %s", resp.raw)
	}
	wantToken("public.records.readRecords", 401, "invalid_client")
}

func TestAdminDemo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	demo := e.run(t, step{"POST", "/_sim/demo", "", 201})[0]
	e.demo = DemoCompany{
		CompanyID: demo.str("company_id"), ClientID: demo.str("client_id"),
		ClientSecret: demo.str("client_secret"), ActingUserEmail: demo.str("acting_user_email"),
	}
	tok := e.token(t)
	for _, p := range probes {
		if resp := e.get(t, p.path, tok, e.demo.ActingUserEmail); resp.status != 200 {
			t.Errorf("demo company, GET %s: %d", p.path, resp.status)
		}
	}
}

func TestAdminErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	app := "/_sim/apps/" + e.demo.ClientID
	unknownApp := "/_sim/apps/" + newUUID()
	company := "/_sim/companies/" + e.demo.CompanyID
	e.run(t,
		// 400: bad bodies and values.
		step{"POST", "/_sim/companies", `{"company_id":`, 400},
		step{"POST", "/_sim/companies", `{"company_id":"x","surprise":1}`, 400},
		step{"POST", "/_sim/companies", `{"company_id":""}`, 400},
		step{"POST", "/_sim/companies", `{"company_id":"x","rate_per_minute":-1}`, 400},
		step{"POST", company + "/apps", `{"client_id":"not-a-uuid"}`, 400},
		step{"POST", company + "/users", `{"email":"nobody"}`, 400},
		step{"POST", app + "/scopes/a%20b", "", 400},
		step{"PUT", app + "/grant", `{}`, 400},
		step{"PUT", "/_sim/faults", `{"kind":"earthquake"}`, 400},
		step{"PUT", "/_sim/faults", `{"kind":"latency","latency":"soon"}`, 400},
		step{"PUT", "/_sim/faults", `{"kind":"server_error","status":42}`, 400},
		step{"POST", "/_sim/dialect", `{"dialect":"klingon"}`, 400},
		// 404: unknown ids and controls.
		step{"POST", "/_sim/companies/nope/apps", `{}`, 404},
		step{"POST", "/_sim/companies/nope/users", `{"email":"a@b.c"}`, 404},
		step{"POST", company + "/users/nobody@x.y/deactivate", "", 404},
		step{"POST", "/_sim/companies/nope/deactivate", "", 404},
		step{"GET", "/_sim/companies/nope/calls", "", 404},
		step{"DELETE", "/_sim/companies/nope/calls", "", 404},
		step{"POST", unknownApp + "/scopes/x", "", 404},
		step{"DELETE", unknownApp + "/scopes/x", "", 404},
		step{"POST", unknownApp + "/rotate-secret", "", 404},
		step{"DELETE", unknownApp, "", 404},
		step{"PUT", unknownApp + "/grant", `{"client_credentials":true}`, 404},
		step{"PUT", "/_sim/faults", `{"company_id":"nope","kind":"hang"}`, 404},
		step{"GET", "/_sim/nothing-here", "", 404},
		// 409: duplicates.
		step{"POST", "/_sim/companies", `{"company_id":"` + e.demo.CompanyID + `"}`, 409},
		step{"POST", company + "/apps", `{"client_id":"` + e.demo.ClientID + `"}`, 409},
		step{"POST", company + "/users", `{"email":"` + e.demo.ActingUserEmail + `"}`, 409},
	)
	// A deleted app is gone for the controls too, and its id can be reused.
	e.run(t,
		step{"DELETE", app, "", 204},
		step{"DELETE", app, "", 404},
		step{"POST", company + "/apps", `{"client_id":"` + e.demo.ClientID + `","client_secret":"s2","client_credentials":true}`, 201},
	)
	e.demo.ClientSecret = "s2"
	if e.token(t) == "" {
		t.Error("no token for the re-added app")
	}
}

func TestAdminListCompanies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.token(t)
	e.run(t,
		step{"POST", "/_sim/companies", `{"company_id":"000-first","rate_per_minute":5}`, 201},
		step{"POST", "/_sim/companies/000-first/users", `{"email":"a@b.example"}`, 201},
		step{"POST", "/_sim/companies/000-first/users/a@b.example/deactivate", "", 204},
	)
	resp := e.adminDo(t, http.MethodGet, "/_sim/companies", "")
	var list []companySummaryJSON
	if err := json.Unmarshal(resp.raw, &list); err != nil || resp.status != http.StatusOK {
		t.Fatalf("GET /_sim/companies: %d %s (%v)", resp.status, resp.raw, err)
	}
	if len(list) != 2 || list[0].CompanyID != "000-first" || list[1].CompanyID != e.demo.CompanyID {
		t.Fatalf("companies %+v, want 000-first then the demo company", list)
	}
	first, demo := list[0], list[1]
	if first.RatePerMinute != 5 || len(first.Apps) != 0 || len(first.Users) != 1 || first.Users[0].Active {
		t.Errorf("first company %+v", first)
	}
	if len(demo.Apps) != 1 || demo.Apps[0].ClientID != e.demo.ClientID || len(demo.Apps[0].Scopes) != 5 || demo.Calls != 1 {
		t.Errorf("demo company %+v", demo)
	}
	if strings.Contains(string(resp.raw), e.demo.ClientSecret) {
		t.Error("the company listing reveals a client secret")
	}
}
