package ironcladsim

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// probes are the resource endpoints with the scope each requires ("" none).
var probes = []struct {
	path  string
	scope string
}{
	{userinfoPath, ""},
	{companyInfoPath, ""},
	{scimUsersPath + "?count=1", "scim.users.readUsers"},
	{workflowsPath + "?pageSize=1", "public.workflows.readWorkflows"},
	{"/public/api/v1/workflows/IC-1/participants?pageSize=1", "public.workflows.readParticipants"},
	{recordsPath + "?pageSize=1", "public.records.readRecords"},
	{"/public/api/v1/records/IC-100/attachments/signedCopy", "public.records.readAttachments"},
}

func TestProbesOK(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	for _, p := range probes {
		resp := e.get(t, p.path, tok, e.demo.ActingUserEmail)
		if resp.status != http.StatusOK {
			t.Errorf("GET %s: status %d, body %s", p.path, resp.status, resp.raw)
		}
		if resp.body == nil {
			t.Errorf("GET %s: body is not a JSON object: %s", p.path, resp.raw)
		}
		if resp.header.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no X-Request-Id", p.path)
		}
	}
}

func TestProbeUnauthorized(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{TokenTTL: time.Minute})
	expired := e.token(t)
	e.clock.Advance(time.Minute)
	clientID, secret := addCompanyWithApp(t, e, "deleted", 0)
	revoked := tokenFor(t, e, clientID, secret)
	if err := e.sim.DeleteApp(clientID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token, message string
	}{
		{"missing token", "", "invalid authentication token"},
		{"unknown token", "not-a-token", "invalid authentication token"},
		{"revoked token", revoked, "token has been revoked"},
		{"expired token", expired, "token has expired"},
	}
	for _, tt := range tests {
		for _, p := range probes {
			resp := e.get(t, p.path, tt.token, e.demo.ActingUserEmail)
			if resp.status != http.StatusUnauthorized {
				t.Errorf("%s, GET %s: status %d, want 401", tt.name, p.path, resp.status)
				continue
			}
			if strings.HasPrefix(p.path, "/scim/") {
				checkSCIMError(t, resp, "401")
				if got := resp.str("detail"); got != tt.message {
					t.Errorf("%s, GET %s: detail %q, want %q", tt.name, p.path, got, tt.message)
				}
				continue
			}
			if resp.str("code") != "UNAUTHORIZED" || resp.str("message") != tt.message {
				t.Errorf("%s, GET %s: body %s, want UNAUTHORIZED %q", tt.name, p.path, resp.raw, tt.message)
			}
		}
	}
}

// checkSCIMError checks a SCIM error body's schema and status string.
func checkSCIMError(t *testing.T, resp response, status string) {
	t.Helper()
	schemas, _ := resp.body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != scimErrorSchema || resp.str("status") != status {
		t.Errorf("SCIM error body %s, want schemas [%s] and status %q", resp.raw, scimErrorSchema, status)
	}
	if _, ok := resp.body["code"]; ok {
		t.Errorf("SCIM error body %s has a Public API code", resp.raw)
	}
}

// checkForbidden checks a 403 in the shape of the path's API.
func checkForbidden(t *testing.T, path string, resp response) {
	t.Helper()
	if resp.status != http.StatusForbidden {
		t.Errorf("GET %s: status %d, want 403 (body %s)", path, resp.status, resp.raw)
		return
	}
	if strings.HasPrefix(path, "/scim/") {
		checkSCIMError(t, resp, "403")
		return
	}
	if resp.str("code") != "FORBIDDEN" || resp.str("message") != "access forbidden" {
		t.Errorf("GET %s: body %s, want FORBIDDEN access forbidden", path, resp.raw)
	}
}

func TestProbeMissingScopeIsForbidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	for _, p := range probes {
		if p.scope == "" {
			continue
		}
		var others []string
		for _, sc := range allScopes {
			if sc != p.scope {
				others = append(others, sc)
			}
		}
		tok := e.token(t, others...)
		checkForbidden(t, p.path, e.get(t, p.path, tok, e.demo.ActingUserEmail))
	}
}

func TestProbeActingUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	const colleague = "jane.doe@demo.example.com"
	if err := e.sim.SetUserActive(e.demo.CompanyID, colleague, false); err != nil {
		t.Fatal(err)
	}
	for _, p := range probes {
		checkForbidden(t, p.path, e.get(t, p.path, tok, ""))
		checkForbidden(t, p.path, e.get(t, p.path, tok, "nobody@demo.example.com"))
		checkForbidden(t, p.path, e.get(t, p.path, tok, colleague))
	}
	// A user of another company is unknown here.
	addCompanyWithApp(t, e, "other", 0)
	checkForbidden(t, userinfoPath, e.get(t, userinfoPath, tok, "ops@other.example.com"))

	// The e-mail is matched without regard to case, and reactivation works.
	if resp := e.get(t, userinfoPath, tok, strings.ToUpper(e.demo.ActingUserEmail)); resp.status != http.StatusOK {
		t.Errorf("upper-case acting user: status %d", resp.status)
	}
	if err := e.sim.SetUserActive(e.demo.CompanyID, colleague, true); err != nil {
		t.Fatal(err)
	}
	if resp := e.get(t, userinfoPath, tok, colleague); resp.status != http.StatusOK || resp.str("email") != colleague {
		t.Errorf("reactivated user: %d %s", resp.status, resp.raw)
	}
}

func TestProbeActingUserByID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	me := e.get(t, userinfoPath, tok, e.demo.ActingUserEmail)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.srv.URL+recordsPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-As-User-Id", me.str("id"))
	if resp := e.do(t, req); resp.status != http.StatusOK {
		t.Errorf("x-as-user-id: status %d, body %s", resp.status, resp.raw)
	}
	req.Header.Set("X-As-User-Id", "000000000000000000000000")
	checkForbidden(t, recordsPath, e.do(t, req))
}

func TestProbePlaceholderIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	tests := []struct {
		path, scope, message string
	}{
		{"/public/api/v1/workflows/000000000000000000000000/participants?pageSize=1", "public.workflows.readParticipants",
			"workflow does not exist"},
		{"/public/api/v1/records/00000000-0000-0000-0000-000000000000/attachments/signedCopy", "public.records.readAttachments",
			"couldn't find a record matching the id 00000000-0000-0000-0000-000000000000"},
		{"/public/api/v1/records/IC-100/attachments/noSuchKey", "public.records.readAttachments",
			"couldn't find an attachment matching the key noSuchKey for record with id IC-100"},
	}
	for _, tt := range tests {
		resp := e.get(t, tt.path, tok, e.demo.ActingUserEmail)
		if resp.status != http.StatusNotFound || resp.str("code") != "NOT_FOUND" || resp.str("message") != tt.message {
			t.Errorf("GET %s: %d %s, want 404 NOT_FOUND %q", tt.path, resp.status, resp.raw, tt.message)
		}
		// Authorization comes first: without the scope or the user, the
		// same placeholder is a 403, never a 404.
		checkForbidden(t, tt.path, e.get(t, tt.path, tok, ""))
		var others []string
		for _, sc := range allScopes {
			if sc != tt.scope {
				others = append(others, sc)
			}
		}
		checkForbidden(t, tt.path, e.get(t, tt.path, e.token(t, others...), e.demo.ActingUserEmail))
	}
}

func TestUserinfoAndCompanyInfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t, "public.records.readRecords", "scim.users.readUsers")
	resp := e.get(t, userinfoPath, tok, e.demo.ActingUserEmail)
	if resp.str("email") != e.demo.ActingUserEmail || resp.str("companyId") != e.demo.CompanyID {
		t.Errorf("userinfo %s: wrong user or company", resp.raw)
	}
	scopes, _ := resp.body["scopes"].([]any)
	if len(scopes) != 2 || scopes[0] != "public.records.readRecords" || scopes[1] != "scim.users.readUsers" {
		t.Errorf("userinfo scopes %v, want the token's two scopes", scopes)
	}

	resp = e.get(t, companyInfoPath, tok, e.demo.ActingUserEmail)
	if resp.status != http.StatusOK || resp.str("companyId") != e.demo.CompanyID {
		t.Errorf("company-info: %d %s", resp.status, resp.raw)
	}
	if err := e.sim.SetCompanyActive(e.demo.CompanyID, false); err != nil {
		t.Fatal(err)
	}
	checkForbidden(t, companyInfoPath, e.get(t, companyInfoPath, tok, e.demo.ActingUserEmail))
}

func TestPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	tests := []struct {
		path      string
		status    int
		param     string // of a 400
		wantItems int
	}{
		{workflowsPath, 200, "", 3},
		{workflowsPath + "?pageSize=1", 200, "", 1},
		{workflowsPath + "?pageSize=100", 200, "", 3},
		{workflowsPath + "?pageSize=2&page=1", 200, "", 1},
		{workflowsPath + "?page=5", 200, "", 0},
		{workflowsPath + "?pageSize=0", 400, "pageSize", 0},
		{workflowsPath + "?pageSize=101", 400, "pageSize", 0},
		{workflowsPath + "?pageSize=ten", 400, "pageSize", 0},
		{workflowsPath + "?page=-1", 400, "page", 0},
		{recordsPath + "?pageSize=2", 200, "", 2},
		{recordsPath + "?pageSize=101", 400, "pageSize", 0},
		{"/public/api/v1/workflows/IC-1/participants?pageSize=1", 200, "", 1},
		{"/public/api/v1/workflows/IC-1/participants?pageSize=0", 400, "pageSize", 0},
	}
	for _, tt := range tests {
		resp := e.get(t, tt.path, tok, e.demo.ActingUserEmail)
		if resp.status != tt.status {
			t.Errorf("GET %s: status %d, want %d (body %s)", tt.path, resp.status, tt.status, resp.raw)
			continue
		}
		if tt.status == 400 {
			if resp.str("code") != "INVALID_PARAM" || resp.str("param") != tt.param {
				t.Errorf("GET %s: body %s, want INVALID_PARAM for %s", tt.path, resp.raw, tt.param)
			}
			continue
		}
		list, _ := resp.body["list"].([]any)
		if len(list) != tt.wantItems {
			t.Errorf("GET %s: %d items, want %d", tt.path, len(list), tt.wantItems)
		}
	}
}

func TestSCIMPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	tests := []struct {
		query     string
		status    int
		wantItems int
		wantStart float64
	}{
		{"", 200, 2, 1},
		{"?count=1", 200, 1, 1},
		{"?count=0", 200, 0, 1},
		{"?count=-3", 200, 0, 1},
		{"?startIndex=2&count=5", 200, 1, 2},
		{"?startIndex=0", 200, 2, 1},
		{"?count=many", 400, 0, 0},
		{"?startIndex=x", 400, 0, 0},
	}
	for _, tt := range tests {
		resp := e.get(t, scimUsersPath+tt.query, tok, e.demo.ActingUserEmail)
		if resp.status != tt.status {
			t.Errorf("query %q: status %d, want %d", tt.query, resp.status, tt.status)
			continue
		}
		if tt.status == 400 {
			checkSCIMError(t, resp, "400")
			continue
		}
		resources, _ := resp.body["Resources"].([]any)
		if len(resources) != tt.wantItems || resp.body["totalResults"] != float64(2) || resp.body["startIndex"] != tt.wantStart {
			t.Errorf("query %q: body %s, want %d of 2 users from %v", tt.query, resp.raw, tt.wantItems, tt.wantStart)
		}
	}
	// Deactivated users are not listed.
	if err := e.sim.SetUserActive(e.demo.CompanyID, "jane.doe@demo.example.com", false); err != nil {
		t.Fatal(err)
	}
	if resp := e.get(t, scimUsersPath, tok, e.demo.ActingUserEmail); resp.body["totalResults"] != float64(1) {
		t.Errorf("after deactivation: %s, want 1 user", resp.raw)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	clientID, secret := addCompanyWithApp(t, e, "limited", 2)
	tok := tokenFor(t, e, clientID, secret)
	get := func(path string) int { return e.get(t, path, tok, "ops@limited.example.com").status }

	for i := range 2 {
		if got := get(workflowsPath); got != http.StatusOK {
			t.Fatalf("workflows request %d: status %d", i+1, got)
		}
	}
	resp := e.get(t, workflowsPath, tok, "ops@limited.example.com")
	if resp.status != http.StatusTooManyRequests || resp.str("code") != "TOO_MANY_REQUESTS" {
		t.Fatalf("over the limit: %d %s, want 429 TOO_MANY_REQUESTS", resp.status, resp.raw)
	}
	if resp.header.Get("Retry-After") != "" {
		t.Error("the rate limiter sent Retry-After, which Ironclad does not document")
	}
	// Buckets are separate: records and SCIM still have their budget.
	if got := get(recordsPath); got != http.StatusOK {
		t.Errorf("records while workflows are limited: status %d", got)
	}
	get(scimUsersPath)
	get(scimUsersPath)
	resp = e.get(t, scimUsersPath, tok, "ops@limited.example.com")
	if resp.status != http.StatusTooManyRequests {
		t.Errorf("SCIM over the limit: status %d", resp.status)
	}
	checkSCIMError(t, resp, "429")
	// Refused requests do not consume the budget... of another company.
	other := e.token(t)
	if got := e.get(t, workflowsPath, other, e.demo.ActingUserEmail).status; got != http.StatusOK {
		t.Errorf("another company: status %d", got)
	}
	// The next minute starts afresh.
	e.clock.Advance(time.Minute)
	if got := get(workflowsPath); got != http.StatusOK {
		t.Errorf("next minute: status %d", got)
	}
}

func TestRateLimitBuckets(t *testing.T) {
	t.Parallel()
	documented := &company{}
	override := &company{ratePerMinute: 7}
	tests := []struct {
		path            string
		want            bucket
		limit, override int
	}{
		{workflowsPath, bucketWorkflows, 400, 7},
		{"/public/api/v1/workflows/IC-1/participants", bucketWorkflows, 400, 7},
		{recordsPath, bucketRecords, 600, 7},
		{"/public/api/v1/records/x/attachments/y", bucketRecords, 600, 7},
		{scimUsersPath, bucketSCIMUsers, 600, 7},
		{userinfoPath, bucketOther, 800, 7},
		{companyInfoPath, bucketOther, 800, 7},
	}
	for _, tt := range tests {
		b := bucketOf(tt.path)
		if b != tt.want || documented.limit(b) != tt.limit || override.limit(b) != tt.override {
			t.Errorf("%s: bucket %d limits %d/%d, want %d with %d/%d",
				tt.path, b, documented.limit(b), override.limit(b), tt.want, tt.limit, tt.override)
		}
	}
}

// addCompanyWithApp adds a company with the given rate, one user
// ops@<id>.example.com and an app with every integration scope.
func addCompanyWithApp(t *testing.T, e *env, id string, rate int) (clientID, secret string) {
	t.Helper()
	clientID, secret = newUUID(), "secret-"+id
	err := errors.Join(
		e.sim.AddCompany(id, rate),
		e.sim.AddUser(id, "ops@"+id+".example.com"),
		e.sim.AddApp(id, App{ClientID: clientID, ClientSecret: secret, Scopes: allScopes, ClientCredentials: true}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return clientID, secret
}

// tokenFor obtains a token with every registered scope.
func tokenFor(t *testing.T, e *env, clientID, secret string) string {
	t.Helper()
	resp := e.do(t, e.tokenRequest(t, tokenCreds{id: clientID, secret: secret}, nil, false))
	if resp.status != http.StatusOK {
		t.Fatalf("token: %d %s", resp.status, resp.raw)
	}
	return resp.str("access_token")
}
