package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/grantwatch/grantwatch/internal/view"
)

// maxSecretLen bounds a client secret. Ironclad's are far shorter; the
// bound only keeps nonsense out of the keyring.
const maxSecretLen = 1024

// createTenantRequest is the body of POST /v1/tenants.
type createTenantRequest struct {
	ExternalID      string      `json:"external_id"`
	Name            string      `json:"name"`
	Region          string      `json:"region"`
	BaseURL         string      `json:"base_url"`
	ClientID        string      `json:"client_id"`
	ClientSecret    secretField `json:"client_secret"`
	ActingUserEmail string      `json:"acting_user_email"`
	// Interval is a Go duration ("15m"); empty takes the default.
	Interval string `json:"interval"`
}

// newTenant checks what the backend cannot: that the required fields are
// there and the interval parses. The backend checks their shape.
func (req createTenantRequest) newTenant() (NewTenant, error) {
	var fields []FieldError
	for _, f := range []struct{ name, value string }{
		{"external_id", req.ExternalID},
		{"client_id", req.ClientID},
		{"acting_user_email", req.ActingUserEmail},
	} {
		if f.value == "" {
			fields = append(fields, FieldError{Field: f.name, Problem: "is required"})
		}
	}
	if (req.Region == "") == (req.BaseURL == "") {
		fields = append(fields, FieldError{Field: "region", Problem: "or base_url is required, not both"})
	}
	if p := secretProblem(req.ClientSecret); p != "" {
		fields = append(fields, FieldError{Field: "client_secret", Problem: p})
	}
	var interval time.Duration
	if req.Interval != "" {
		d, err := time.ParseDuration(req.Interval)
		if err != nil || d <= 0 {
			fields = append(fields, FieldError{Field: "interval", Problem: "must be a positive duration such as 15m or 1h"})
		}
		interval = d
	}
	if len(fields) > 0 {
		return NewTenant{}, Invalid(fields...)
	}
	return NewTenant{
		ExternalID: req.ExternalID, Name: req.Name, Region: req.Region, BaseURL: req.BaseURL,
		ClientID: req.ClientID, ClientSecret: req.ClientSecret.Secret, ActingUserEmail: req.ActingUserEmail,
		Interval: interval,
	}, nil
}

// secretProblem says what is wrong with a client secret, without saying
// anything about its value; "" when nothing is.
func secretProblem(s secretField) string {
	v := s.Reveal()
	switch {
	case strings.TrimSpace(v) == "":
		return "is required"
	case len(v) > maxSecretLen:
		return fmt.Sprintf("must be at most %d bytes", maxSecretLen)
	}
	return ""
}

func (a *api) createTenant(w http.ResponseWriter, r *http.Request) error {
	var req createTenantRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	nt, err := req.newTenant()
	if err != nil {
		return err
	}
	t, err := a.backend.CreateTenant(r.Context(), nt)
	if err != nil {
		return err
	}
	w.Header().Set("Location", tenantPath(t.ExternalID))
	writeJSON(w, http.StatusCreated, t)
	return nil
}

// tenantPath is the API path of a tenant.
func tenantPath(externalID string) string { return "/v1/tenants/" + url.PathEscape(externalID) }

// listTenants answers one page as a JSON array, the shape of `tenant list
// --json`; a Link header with rel="next" points at the next page when this
// one is full.
func (a *api) listTenants(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "after", "limit", "include_removed")
	p := Page{
		AfterID:        q.int("after", 0, 0, 1<<62),
		Limit:          int(q.int("limit", 100, 1, maxPageSize)),
		IncludeRemoved: q.bool("include_removed"),
	}
	if err := q.err(); err != nil {
		return err
	}
	page, err := a.backend.ListTenants(r.Context(), p)
	if err != nil {
		return err
	}
	if len(page) == p.Limit {
		next := url.Values{"after": {strconv.FormatInt(page[len(page)-1].ID, 10)}, "limit": {strconv.Itoa(p.Limit)}}
		if p.IncludeRemoved {
			next.Set("include_removed", "true")
		}
		w.Header().Set("Link", fmt.Sprintf(`</v1/tenants?%s>; rel="next"`, next.Encode()))
	}
	writeJSON(w, http.StatusOK, view.List(page))
	return nil
}

func (a *api) getTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := a.backend.Tenant(r.Context(), r.PathValue("ext"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *api) removeTenant(w http.ResponseWriter, r *http.Request) error {
	if err := a.backend.RemoveTenant(r.Context(), r.PathValue("ext")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) setPaused(paused bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := a.backend.SetPaused(r.Context(), r.PathValue("ext"), paused)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, t)
		return nil
	}
}

// rotateCredentialsRequest is the body of POST /v1/tenants/{ext}/credentials.
type rotateCredentialsRequest struct {
	ClientSecret secretField `json:"client_secret"`
	// ClientID, when set, moves the tenant to another Ironclad application.
	ClientID string `json:"client_id"`
}

func (a *api) rotateCredentials(w http.ResponseWriter, r *http.Request) error {
	var req rotateCredentialsRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if p := secretProblem(req.ClientSecret); p != "" {
		return Invalid(FieldError{Field: "client_secret", Problem: p})
	}
	t, err := a.backend.RotateCredentials(r.Context(), r.PathValue("ext"),
		Credentials{ClientID: req.ClientID, ClientSecret: req.ClientSecret.Secret})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// check verifies the tenant now and answers with the verdict, the shape of
// `check --json`. A check can outlast the server's write timeout (several
// calls to Ironclad, each with its own timeout), so it gets its own bound
// and the answer's write deadline is moved past it.
func (a *api) check(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), a.checkTimeout)
	defer cancel()
	// Failing to move the deadline (a writer that cannot) leaves the
	// server's: the check may then be cut short, which is safe.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(a.checkTimeout + 10*time.Second))
	c, err := a.backend.Check(ctx, r.PathValue("ext"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// status answers with the shape of `status --json`.
func (a *api) status(w http.ResponseWriter, r *http.Request) error {
	st, err := a.backend.Status(r.Context(), r.PathValue("ext"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
