package ironcladsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// adminRoutes serves the control operations as JSON under /_sim/. Bodies in
// and out are JSON; bad input is a 400 and an unknown id a 404, both with
// {"error": "..."}.
func (s *Sim) adminRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/companies", s.adminListCompanies)
	mux.HandleFunc("POST /_sim/companies", s.adminAddCompany)
	mux.HandleFunc("POST /_sim/companies/{id}/activate", s.adminCompanyActive(true))
	mux.HandleFunc("POST /_sim/companies/{id}/deactivate", s.adminCompanyActive(false))
	mux.HandleFunc("POST /_sim/companies/{id}/apps", s.adminAddApp)
	mux.HandleFunc("POST /_sim/companies/{id}/users", s.adminAddUser)
	mux.HandleFunc("POST /_sim/companies/{id}/users/{email}/activate", s.adminUserActive(true))
	mux.HandleFunc("POST /_sim/companies/{id}/users/{email}/deactivate", s.adminUserActive(false))
	mux.HandleFunc("GET /_sim/companies/{id}/calls", s.adminCalls)
	mux.HandleFunc("DELETE /_sim/companies/{id}/calls", s.adminResetCalls)
	mux.HandleFunc("POST /_sim/apps/{client_id}/scopes/{scope}", s.adminScope(s.GrantScope))
	mux.HandleFunc("DELETE /_sim/apps/{client_id}/scopes/{scope}", s.adminScope(s.RevokeScope))
	mux.HandleFunc("POST /_sim/apps/{client_id}/rotate-secret", s.adminRotateSecret)
	mux.HandleFunc("DELETE /_sim/apps/{client_id}", s.adminDeleteApp)
	mux.HandleFunc("PUT /_sim/apps/{client_id}/grant", s.adminGrant)
	mux.HandleFunc("PUT /_sim/faults", s.adminSetFault)
	mux.HandleFunc("DELETE /_sim/faults", s.adminClearFaults)
	mux.HandleFunc("POST /_sim/dialect", s.adminDialect)
	mux.HandleFunc("POST /_sim/demo", s.adminDemo)
	mux.HandleFunc("/_sim/", func(w http.ResponseWriter, _ *http.Request) {
		writeAdminError(w, http.StatusNotFound, errors.New("no such control"))
	})
	return mux
}

// companyJSON is the body of POST /_sim/companies.
type companyJSON struct {
	CompanyID     string `json:"company_id"`
	RatePerMinute int    `json:"rate_per_minute,omitempty"`
}

func (s *Sim) adminAddCompany(w http.ResponseWriter, r *http.Request) {
	var in companyJSON
	if !decodeAdmin(w, r, &in) {
		return
	}
	err := s.AddCompany(in.CompanyID, in.RatePerMinute)
	respondAdminJSON(w, err, http.StatusCreated, in)
}

// companySummaryJSON describes a company in GET /_sim/companies. It never
// holds a secret.
type companySummaryJSON struct {
	CompanyID     string           `json:"company_id"`
	Active        bool             `json:"active"`
	RatePerMinute int              `json:"rate_per_minute"`
	Users         []userStatusJSON `json:"users"`
	Apps          []appStatusJSON  `json:"apps"`
	Calls         int              `json:"calls"`
}

type userStatusJSON struct {
	Email  string `json:"email"`
	Active bool   `json:"active"`
}

type appStatusJSON struct {
	ClientID          string   `json:"client_id"`
	Scopes            []string `json:"scopes"`
	ClientCredentials bool     `json:"client_credentials"`
}

// adminListCompanies describes every company, sorted by id, to let a person
// see what a demo or a test script set up.
func (s *Sim) adminListCompanies(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := make([]companySummaryJSON, 0, len(s.state.companies))
	for _, c := range s.state.companies {
		sum := companySummaryJSON{
			CompanyID: c.id, Active: c.active, RatePerMinute: c.ratePerMinute,
			Users: []userStatusJSON{}, Apps: []appStatusJSON{}, Calls: s.state.calls[c.id],
		}
		for _, u := range c.users {
			sum.Users = append(sum.Users, userStatusJSON{Email: u.email, Active: u.active})
		}
		for _, a := range s.state.apps {
			if a.companyID == c.id && !a.deleted {
				sum.Apps = append(sum.Apps, appStatusJSON{
					ClientID: a.clientID, Scopes: slices.Clone(a.scopes), ClientCredentials: a.clientCredentials,
				})
			}
		}
		slices.SortFunc(sum.Apps, func(a, b appStatusJSON) int { return strings.Compare(a.ClientID, b.ClientID) })
		out = append(out, sum)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b companySummaryJSON) int { return strings.Compare(a.CompanyID, b.CompanyID) })
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) adminCompanyActive(active bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		respondAdmin(w, s.SetCompanyActive(r.PathValue("id"), active))
	}
}

// appJSON is the body of POST /_sim/companies/{id}/apps and its answer. An
// empty client id or secret is generated.
type appJSON struct {
	ClientID          string   `json:"client_id"`
	ClientSecret      string   `json:"client_secret"`
	Scopes            []string `json:"scopes"`
	ClientCredentials bool     `json:"client_credentials"`
}

func (s *Sim) adminAddApp(w http.ResponseWriter, r *http.Request) {
	var in appJSON
	if !decodeAdmin(w, r, &in) {
		return
	}
	if in.ClientID == "" {
		in.ClientID = newUUID()
	}
	if in.ClientSecret == "" {
		in.ClientSecret = randomSecret()
	}
	if in.Scopes == nil {
		in.Scopes = []string{}
	}
	err := s.AddApp(r.PathValue("id"), App{
		ClientID: in.ClientID, ClientSecret: in.ClientSecret,
		Scopes: in.Scopes, ClientCredentials: in.ClientCredentials,
	})
	respondAdminJSON(w, err, http.StatusCreated, in)
}

// userJSON is the body of POST /_sim/companies/{id}/users.
type userJSON struct {
	Email string `json:"email"`
}

func (s *Sim) adminAddUser(w http.ResponseWriter, r *http.Request) {
	var in userJSON
	if !decodeAdmin(w, r, &in) {
		return
	}
	err := s.AddUser(r.PathValue("id"), in.Email)
	respondAdminJSON(w, err, http.StatusCreated, in)
}

func (s *Sim) adminUserActive(active bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		respondAdmin(w, s.SetUserActive(r.PathValue("id"), r.PathValue("email"), active))
	}
}

// callsJSON answers GET /_sim/companies/{id}/calls.
type callsJSON struct {
	CompanyID string `json:"company_id"`
	Calls     int    `json:"calls"`
}

func (s *Sim) adminCalls(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.companyExists(id); err != nil {
		writeAdminError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, callsJSON{CompanyID: id, Calls: s.Calls(id)})
}

func (s *Sim) adminResetCalls(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.companyExists(id); err != nil {
		writeAdminError(w, statusOf(err), err)
		return
	}
	s.ResetCalls(id)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) adminScope(op func(clientID, scope string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		respondAdmin(w, op(r.PathValue("client_id"), r.PathValue("scope")))
	}
}

// secretJSON answers POST /_sim/apps/{client_id}/rotate-secret.
type secretJSON struct {
	ClientSecret string `json:"client_secret"`
}

func (s *Sim) adminRotateSecret(w http.ResponseWriter, r *http.Request) {
	secret, err := s.RotateSecret(r.PathValue("client_id"))
	respondAdminJSON(w, err, http.StatusOK, secretJSON{ClientSecret: secret})
}

func (s *Sim) adminDeleteApp(w http.ResponseWriter, r *http.Request) {
	respondAdmin(w, s.DeleteApp(r.PathValue("client_id")))
}

// grantJSON is the body of PUT /_sim/apps/{client_id}/grant. The field is a
// pointer so that a body without it is refused rather than read as false.
type grantJSON struct {
	ClientCredentials *bool `json:"client_credentials"`
}

func (s *Sim) adminGrant(w http.ResponseWriter, r *http.Request) {
	var in grantJSON
	if !decodeAdmin(w, r, &in) {
		return
	}
	if in.ClientCredentials == nil {
		writeAdminError(w, http.StatusBadRequest, errors.New("client_credentials is required"))
		return
	}
	respondAdmin(w, s.SetClientCredentialsGrant(r.PathValue("client_id"), *in.ClientCredentials))
}

// faultJSON is the body of PUT /_sim/faults. Latency is a Go duration string
// such as "250ms".
type faultJSON struct {
	CompanyID  string    `json:"company_id"`
	Kind       FaultKind `json:"kind"`
	Latency    string    `json:"latency,omitempty"`
	Status     int       `json:"status,omitempty"`
	RetryAfter string    `json:"retry_after,omitempty"`
	PathPrefix string    `json:"path_prefix,omitempty"`
}

func (s *Sim) adminSetFault(w http.ResponseWriter, r *http.Request) {
	var in faultJSON
	if !decodeAdmin(w, r, &in) {
		return
	}
	f := Fault{Kind: in.Kind, Status: in.Status, RetryAfter: in.RetryAfter, PathPrefix: in.PathPrefix}
	if !in.Kind.valid() {
		writeAdminError(w, http.StatusBadRequest, fmt.Errorf("unknown fault kind %q", in.Kind))
		return
	}
	if in.Latency != "" {
		d, err := time.ParseDuration(in.Latency)
		if err != nil || d < 0 {
			writeAdminError(w, http.StatusBadRequest, fmt.Errorf("latency %q is not a non-negative duration", in.Latency))
			return
		}
		f.Latency = d
	}
	if in.Status != 0 && (in.Status < 100 || in.Status > 999) {
		writeAdminError(w, http.StatusBadRequest, fmt.Errorf("status %d is not an HTTP status", in.Status))
		return
	}
	if in.CompanyID != "" {
		if err := s.companyExists(in.CompanyID); err != nil {
			writeAdminError(w, statusOf(err), err)
			return
		}
	}
	s.SetFault(in.CompanyID, f)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) adminClearFaults(w http.ResponseWriter, r *http.Request) {
	s.ClearFaults(r.URL.Query().Get("company_id"))
	w.WriteHeader(http.StatusNoContent)
}

// dialectJSON is the body of POST /_sim/dialect.
type dialectJSON struct {
	Dialect Dialect `json:"dialect"`
}

func (s *Sim) adminDialect(w http.ResponseWriter, r *http.Request) {
	var in dialectJSON
	if !decodeAdmin(w, r, &in) {
		return
	}
	if !in.Dialect.valid() {
		writeAdminError(w, http.StatusBadRequest, fmt.Errorf("unknown dialect %q", in.Dialect))
		return
	}
	s.SetDialect(in.Dialect)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) adminDemo(w http.ResponseWriter, _ *http.Request) {
	d, err := s.SeedDemo()
	if err != nil {
		writeAdminError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

// companyExists returns nil when the company exists and otherwise the same
// ErrNotFound error as the control operations, so every handler words it alike.
func (s *Sim) companyExists(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.company(id)
	return err
}

// decodeAdmin reads a JSON body strictly (unknown fields are mistakes in a
// test script) and answers 400 itself when it cannot.
func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeAdminError(w, http.StatusBadRequest, fmt.Errorf("decoding request body: %w", err))
		return false
	}
	return true
}

// respondAdmin answers 204 on success and the error's status otherwise.
func respondAdmin(w http.ResponseWriter, err error) {
	if err != nil {
		writeAdminError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// respondAdminJSON answers status with body on success and the error's
// status otherwise.
func respondAdminJSON(w http.ResponseWriter, err error, status int, body any) {
	if err != nil {
		writeAdminError(w, statusOf(err), err)
		return
	}
	writeJSON(w, status, body)
}

// statusOf maps a control operation's error to an HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrExists):
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// adminError is the body of every /_sim/ error.
type adminError struct {
	Error string `json:"error"`
}

func writeAdminError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, adminError{Error: err.Error()})
}
