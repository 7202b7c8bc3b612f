package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/view"
)

const tenantBody = `{"external_id":"acme","name":"Acme","base_url":"http://sim.test","client_id":"cid-1",
	"client_secret":"s3cr3t-CREATE","acting_user_email":"admin@acme.example","interval":"30m"}`

func TestV1IsServedOnlyWithTokenAndBackend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Config)
		want int
	}{
		{"token and backend", nil, http.StatusOK},
		{"no token", func(c *Config) { c.APIToken = "" }, http.StatusNotFound},
		{"no backend", func(c *Config) { c.API = nil }, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.edit)
			f.do("GET", "/v1/tenants", "").want(t, tt.want)
			f.do("GET", "/livez", "").want(t, http.StatusOK)
		})
	}
}

func TestV1Authentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tests := []struct {
		authorization string
		want          int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer", http.StatusUnauthorized},
		{"Bearer ", http.StatusUnauthorized},
		{"Bearer wrong", http.StatusUnauthorized},
		{"Bearer " + testToken + "x", http.StatusUnauthorized},
		{"Bearer " + testToken[:len(testToken)-1], http.StatusUnauthorized},
		{"Basic " + testToken, http.StatusUnauthorized},
		{"Bearer " + testToken, http.StatusOK},
		{"bearer " + testToken, http.StatusOK},
	}
	for _, tt := range tests {
		r := f.do("GET", "/v1/tenants", "", "Authorization", tt.authorization)
		if r.status != tt.want {
			t.Errorf("Authorization %q: status %d, want %d", tt.authorization, r.status, tt.want)
			continue
		}
		if tt.want != http.StatusUnauthorized {
			continue
		}
		if e := r.apiError(t); e.Code != "unauthorized" {
			t.Errorf("Authorization %q: code %q, want unauthorized", tt.authorization, e.Code)
		}
		if r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: 401 without WWW-Authenticate", tt.authorization)
		}
	}
	// A refused request never reaches the backend.
	f.do("POST", "/v1/tenants", tenantBody, "Authorization", "Bearer wrong").want(t, http.StatusUnauthorized)
	if len(f.backend.tenants) != 0 {
		t.Error("an unauthenticated create reached the backend")
	}
}

func TestRiverUIDenialStaysPlainText(t *testing.T) {
	t.Parallel()
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := requireBearer(testToken, next, denyText)
	for _, tt := range []struct {
		auth string
		want int
	}{{"", http.StatusUnauthorized}, {"Bearer nope", http.StatusUnauthorized}, {"Bearer " + testToken, http.StatusTeapot}} {
		rec := httptestRecorder(h, "GET", "/riverui/", tt.auth)
		if rec.Code != tt.want {
			t.Errorf("Authorization %q: status %d, want %d", tt.auth, rec.Code, tt.want)
		}
		if tt.want == http.StatusUnauthorized && !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
			t.Errorf("River UI's 401 has Content-Type %q, want text/plain", rec.Header().Get("Content-Type"))
		}
	}
}

// TestTenantLifecycle walks one tenant through every endpoint.
func TestTenantLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)

	r := f.do("POST", "/v1/tenants", tenantBody).want(t, http.StatusCreated)
	if loc := r.header.Get("Location"); loc != "/v1/tenants/acme" {
		t.Errorf("Location %q, want /v1/tenants/acme", loc)
	}
	created := decode[view.Tenant](t, r)
	if created.ExternalID != "acme" || created.ClientID != "cid-1" || created.Interval != "30m0s" || created.State != view.TenantActive {
		t.Errorf("created %+v", created)
	}
	if got := f.backend.secrets["acme"]; got != "s3cr3t-CREATE" {
		t.Errorf("the backend received secret %q, want the one sent", got)
	}
	if e := f.do("POST", "/v1/tenants", tenantBody).want(t, http.StatusConflict).apiError(t); e.Code != "conflict" {
		t.Errorf("duplicate: code %q, want conflict", e.Code)
	}

	if got := decode[view.Tenant](t, f.do("GET", "/v1/tenants/acme", "").want(t, http.StatusOK)); got != created {
		t.Errorf("GET tenant = %+v, want %+v", got, created)
	}
	if got := decode[view.Tenant](t, f.do("POST", "/v1/tenants/acme/pause", "").want(t, http.StatusOK)); got.State != view.TenantPaused {
		t.Errorf("after pause: state %q", got.State)
	}
	if got := decode[view.Tenant](t, f.do("POST", "/v1/tenants/acme/resume", "").want(t, http.StatusOK)); got.State != view.TenantActive {
		t.Errorf("after resume: state %q", got.State)
	}
	rotated := decode[view.Tenant](t, f.do("POST", "/v1/tenants/acme/credentials",
		`{"client_secret":"s3cr3t-ROTATE","client_id":"cid-2"}`).want(t, http.StatusOK))
	if rotated.Generation != 2 || rotated.ClientID != "cid-2" || f.backend.secrets["acme"] != "s3cr3t-ROTATE" {
		t.Errorf("after rotation: %+v, secret arrived: %t", rotated, f.backend.secrets["acme"] == "s3cr3t-ROTATE")
	}

	c := decode[view.Check](t, f.do("POST", "/v1/tenants/acme/check", "").want(t, http.StatusOK))
	if c.Tenant != "acme" || !slices.Equal(c.Open, []health.Code{"ICD-102-A"}) {
		t.Errorf("check = %+v", c)
	}
	if !f.backend.checkDeadline {
		t.Error("the check ran without a deadline")
	}
	st := decode[view.Status](t, f.do("GET", "/v1/tenants/acme/status", "").want(t, http.StatusOK))
	if st.Tenant.ExternalID != "acme" {
		t.Errorf("status = %+v", st)
	}
	if got := f.do("GET", "/v1/tenants/acme/incidents", "").want(t, http.StatusOK).body; strings.TrimSpace(got) != "[]" {
		t.Errorf("incidents of a quiet tenant = %s, want []", got)
	}

	r = f.do("DELETE", "/v1/tenants/acme", "").want(t, http.StatusNoContent)
	if r.body != "" {
		t.Errorf("204 with a body: %q", r.body)
	}
	for _, req := range [][2]string{
		{"GET", "/v1/tenants/acme"}, {"DELETE", "/v1/tenants/acme"}, {"POST", "/v1/tenants/acme/pause"},
		{"POST", "/v1/tenants/acme/check"}, {"GET", "/v1/tenants/acme/status"}, {"GET", "/v1/tenants/acme/incidents"},
	} {
		if e := f.do(req[0], req[1], "").want(t, http.StatusNotFound).apiError(t); e.Code != "not_found" {
			t.Errorf("%s %s after removal: code %q", req[0], req[1], e.Code)
		}
	}
}

func TestCreateTenantRejects(t *testing.T) {
	t.Parallel()
	// Every body carries the same secret, which no answer may repeat.
	const sec = "s3cr3t-NEVER-ECHO"
	valid := `"external_id":"a","region":"na1","client_id":"c","acting_user_email":"a@b.example"`
	tests := []struct {
		name        string
		body        string
		contentType string
		status      int
		fields      []string
	}{
		{"no fields", `{"client_secret":"` + sec + `"}`, "", 400, []string{"external_id", "client_id", "acting_user_email", "region"}},
		{"no secret", `{` + valid + `}`, "", 400, []string{"client_secret"}},
		{"null secret", `{` + valid + `,"client_secret":null}`, "", 400, []string{"client_secret"}},
		{"blank secret", `{` + valid + `,"client_secret":"  "}`, "", 400, []string{"client_secret"}},
		{"long secret", `{` + valid + `,"client_secret":"` + strings.Repeat("x", maxSecretLen+1) + `"}`, "", 400, []string{"client_secret"}},
		{"secret not a string", `{` + valid + `,"client_secret":["` + sec + `"]}`, "", 400, []string{"client_secret"}},
		{"region and base URL", `{` + valid + `,"base_url":"http://x","client_secret":"` + sec + `"}`, "", 400, []string{"region"}},
		{"bad interval", `{` + valid + `,"interval":"soon","client_secret":"` + sec + `"}`, "", 400, []string{"interval"}},
		{"negative interval", `{` + valid + `,"interval":"-5m","client_secret":"` + sec + `"}`, "", 400, []string{"interval"}},
		{"wrong type", `{` + valid + `,"name":42,"client_secret":"` + sec + `"}`, "", 400, []string{"name"}},
		{"unknown field", `{` + valid + `,"secret":"` + sec + `"}`, "", 400, []string{"secret"}},
		{"syntax error at the secret", `{` + valid + `,"client_secret":` + sec + `}`, "", 400, nil},
		{"truncated", `{` + valid + `,"client_secret":"` + sec, "", 400, nil},
		{"two objects", `{` + valid + `,"client_secret":"` + sec + `"}{}`, "", 400, nil},
		{"array", `["` + sec + `"]`, "", 400, nil},
		{"empty", ``, "", 400, nil},
		{"too large", `{"name":"` + strings.Repeat("n", maxBodyBytes) + `","client_secret":"` + sec + `"}`, "", 413, nil},
		{"not JSON", `client_secret=` + sec, "application/x-www-form-urlencoded", 415, nil},
	}
	f := newFixture(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := []string{}
			if tt.contentType != "" {
				headers = append(headers, "Content-Type", tt.contentType)
			}
			r := f.do("POST", "/v1/tenants", tt.body, headers...).want(t, tt.status)
			e := r.apiError(t)
			if got := fieldNames(e); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v (%s)", got, tt.fields, r.body)
			}
			if e.Message == "" {
				t.Error("an error without a message")
			}
			if strings.Contains(r.body, sec) || strings.Contains(r.body, "s3cr3t") {
				t.Errorf("the answer repeats the secret: %s", r.body)
			}
		})
	}
	if len(f.backend.tenants) != 0 {
		t.Errorf("rejected requests created tenants: %v", f.backend.tenants)
	}
	if strings.Contains(f.log.String(), sec) {
		t.Errorf("the log holds the secret:\n%s", f.log)
	}
}

func TestRotateCredentialsRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.do("POST", "/v1/tenants", tenantBody).want(t, http.StatusCreated)
	for body, field := range map[string]string{
		`{}`:                                   "client_secret",
		`{"client_id":"c2"}`:                   "client_secret",
		`{"client_secret":7}`:                  "client_secret",
		`{"client_secret":"x","generation":2}`: "generation",
	} {
		e := f.do("POST", "/v1/tenants/acme/credentials", body).want(t, http.StatusBadRequest).apiError(t)
		if got := fieldNames(e); !slices.Equal(got, []string{field}) {
			t.Errorf("%s: fields %v, want [%s]", body, got, field)
		}
	}
	if e := f.do("POST", "/v1/tenants/nobody/credentials", `{"client_secret":"x"}`).want(t, http.StatusNotFound).apiError(t); e.Code != "not_found" {
		t.Errorf("rotating an unknown tenant: code %q", e.Code)
	}
}

func TestTenantPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for i := range 5 {
		body := strings.Replace(tenantBody, `"acme"`, fmt.Sprintf(`"t%d"`, i), 1)
		f.do("POST", "/v1/tenants", body).want(t, http.StatusCreated)
	}
	var ids []int64
	path, pages := "/v1/tenants?limit=2", 0
	for path != "" {
		r := f.do("GET", path, "").want(t, http.StatusOK)
		for _, tn := range decode[[]view.Tenant](t, r) {
			ids = append(ids, tn.ID)
		}
		pages++
		path = nextLink(t, r.header.Get("Link"))
	}
	// Five tenants in pages of two: 2, 2, 1 and no link after the short page.
	if !slices.Equal(ids, []int64{1, 2, 3, 4, 5}) || pages != 3 {
		t.Errorf("paging gave ids %v in %d pages, want 1-5 in 3", ids, pages)
	}
	if got := decode[[]view.Tenant](t, f.do("GET", "/v1/tenants?after=5", "").want(t, http.StatusOK)); len(got) != 0 {
		t.Errorf("after the last tenant: %v", got)
	}
}

// nextLink returns the target of a rel="next" Link header, "" when none.
func nextLink(t *testing.T, link string) string {
	t.Helper()
	if link == "" {
		return ""
	}
	target, rel, ok := strings.Cut(link, ">; ")
	if !ok || rel != `rel="next"` || !strings.HasPrefix(target, "</v1/tenants?") {
		t.Fatalf("Link %q is not a next link", link)
	}
	return strings.TrimPrefix(target, "<")
}

func TestQueryParameters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.do("POST", "/v1/tenants", tenantBody).want(t, http.StatusCreated)
	now := testNow()
	tests := []struct {
		path   string
		want   IncidentQuery
		fields []string
	}{
		{"/v1/incidents", IncidentQuery{Limit: defaultIncidentLimit}, nil},
		{"/v1/incidents?tenant=acme&code=icd-102-b&open=true&since=24h&limit=5",
			IncidentQuery{Tenant: "acme", Code: "ICD-102-B", OpenOnly: true, Since: now.Add(-24 * time.Hour), Limit: 5}, nil},
		{"/v1/incidents?since=2026-11-01T00:00:00Z&open=false",
			IncidentQuery{Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Limit: defaultIncidentLimit}, nil},
		{"/v1/tenants/acme/incidents?open=1", IncidentQuery{Tenant: "acme", OpenOnly: true, Limit: defaultIncidentLimit}, nil},
		{"/v1/tenants/acme/incidents?tenant=other", IncidentQuery{}, []string{"tenant"}},
		{"/v1/incidents?opne=true", IncidentQuery{}, []string{"opne"}},
		{"/v1/incidents?limit=1&limit=2", IncidentQuery{}, []string{"limit"}},
		{"/v1/incidents?limit=0", IncidentQuery{}, []string{"limit"}},
		{"/v1/incidents?limit=1001", IncidentQuery{}, []string{"limit"}},
		{"/v1/incidents?code=ICD-105-A&open=maybe&since=-1h", IncidentQuery{}, []string{"code", "open", "since"}},
		{"/v1/tenants?after=-1&limit=x&all=true", IncidentQuery{}, []string{"all", "after", "limit"}},
	}
	for _, tt := range tests {
		r := f.do("GET", tt.path, "")
		if tt.fields != nil {
			if got := fieldNames(r.want(t, http.StatusBadRequest).apiError(t)); !slices.Equal(got, tt.fields) {
				t.Errorf("%s: fields %v, want %v", tt.path, got, tt.fields)
			}
			continue
		}
		r.want(t, http.StatusOK)
		f.backend.mu.Lock()
		got := f.backend.lastQuery
		f.backend.mu.Unlock()
		if got != tt.want {
			t.Errorf("%s: backend asked %+v, want %+v", tt.path, got, tt.want)
		}
	}
	if e := f.do("GET", "/v1/incidents?tenant=nobody", "").want(t, http.StatusNotFound).apiError(t); e.Code != "not_found" {
		t.Errorf("incidents of an unknown tenant: code %q", e.Code)
	}
}

func TestUnroutedRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"PUT", "/v1/tenants", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{"DELETE", "/v1/incidents", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"GET", "/v1/tenants/acme/check", http.StatusMethodNotAllowed, "POST"},
		{"GET", "/v1/nothing", http.StatusNotFound, ""},
		{"GET", "/v1/tenants/acme/status/more", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		r := f.do(tt.method, tt.path, "").want(t, tt.status)
		r.apiError(t)
		if got := r.header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
}

// TestInternalErrorsAreGeneric: a backend failure is a 500 whose answer says
// nothing of the cause, and whose request id finds the cause in the log.
func TestInternalErrorsAreGeneric(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.backend.fail = errors.New("connection to db-7.internal refused")
	r := f.do("GET", "/v1/tenants/acme", "").want(t, http.StatusInternalServerError)
	e := r.apiError(t)
	if e.Code != "internal" || strings.Contains(r.body, "db-7") {
		t.Errorf("500 answer %s: want code internal and no cause", r.body)
	}
	id := r.header.Get(requestIDHeader)
	if len(id) != 16 || e.RequestID != id {
		t.Errorf("request id %q in the body, %q in the header", e.RequestID, id)
	}
	var found bool
	for line := range strings.Lines(f.log.String()) {
		if strings.Contains(line, `"request_id":"`+id+`"`) && strings.Contains(line, "db-7.internal refused") {
			found = true
		}
	}
	if !found {
		t.Errorf("no log line names request %s and the cause:\n%s", id, f.log)
	}
}

// TestAnswersAreJSONAndUncached checks the headers every answer carries.
func TestAnswersAreJSONAndUncached(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, r := range []response{
		f.do("POST", "/v1/tenants", tenantBody).want(t, http.StatusCreated),
		f.do("GET", "/v1/tenants", "").want(t, http.StatusOK),
		f.do("GET", "/v1/tenants/nobody", "").want(t, http.StatusNotFound),
	} {
		if r.header.Get("Content-Type") != "application/json" || r.header.Get("Cache-Control") != "no-store" ||
			r.header.Get(requestIDHeader) == "" {
			t.Errorf("answer headers %v: want JSON, no-store and a request id", r.header)
		}
	}
}
