package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/grantwatch/grantwatch/internal/httpapi"
	"github.com/grantwatch/grantwatch/internal/ironclad"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
	"github.com/grantwatch/grantwatch/internal/view"
)

// apiBackend serves `worker run`'s /v1 API with what the CLI commands use:
// the store, the keyring, and the Verifier of the verify_tenant job, so that
// an API check is exactly a scheduled one. It is the boundary where the
// store's errors become the API's.
type apiBackend struct {
	store    *postgres.Store
	keyring  *secret.Keyring
	verifier *jobs.Verifier
	// allow is GRANTWATCH_ALLOW_BASE_URLS, and defaultInterval
	// GRANTWATCH_DEFAULT_INTERVAL.
	allow           []string
	defaultInterval time.Duration
}

var _ httpapi.Backend = (*apiBackend)(nil)

// newAPIBackend builds the API's backend; d must hold a keyring, and v's
// Insert must be set (jobs.NewClient sets it).
func newAPIBackend(d *deps, v *jobs.Verifier) *apiBackend {
	return &apiBackend{store: d.store, keyring: d.keyring, verifier: v, allow: d.allow, defaultInterval: d.cfg.DefaultInterval}
}

func (b *apiBackend) CreateTenant(ctx context.Context, nt httpapi.NewTenant) (view.Tenant, error) {
	if _, err := ironclad.ResolveBaseURL(nt.Region, nt.BaseURL, b.allow); err != nil {
		field := "base_url"
		if nt.BaseURL == "" {
			field = "region"
		}
		return view.Tenant{}, httpapi.Invalid(httpapi.FieldError{Field: field, Problem: err.Error()})
	}
	sealed, err := sealSecret(b.keyring, nt.ClientSecret, nt.ExternalID)
	if err != nil {
		return view.Tenant{}, err
	}
	t, err := b.store.CreateTenant(ctx, postgres.NewTenant{
		ExternalID: nt.ExternalID, Name: nt.Name, Region: nt.Region, BaseURL: nt.BaseURL,
		ClientID: nt.ClientID, Secret: sealed, ActingUserEmail: nt.ActingUserEmail,
		CheckInterval: cmp.Or(nt.Interval, b.defaultInterval),
	})
	if err != nil {
		return view.Tenant{}, apiError(err, nt.ExternalID)
	}
	return view.NewTenant(t), nil
}

func (b *apiBackend) ListTenants(ctx context.Context, p httpapi.Page) ([]view.Tenant, error) {
	page, err := b.store.ListTenants(ctx, postgres.ListFilter{IncludeRemoved: p.IncludeRemoved, Limit: p.Limit, AfterID: p.AfterID})
	if err != nil {
		return nil, apiError(err, "")
	}
	out := make([]view.Tenant, len(page))
	for i, t := range page {
		out[i] = view.NewTenant(t)
	}
	return out, nil
}

func (b *apiBackend) Tenant(ctx context.Context, ext string) (view.Tenant, error) {
	t, err := b.store.TenantByExternalID(ctx, ext)
	if err != nil {
		return view.Tenant{}, apiError(err, ext)
	}
	return view.NewTenant(t), nil
}

func (b *apiBackend) RotateCredentials(ctx context.Context, ext string, c httpapi.Credentials) (view.Tenant, error) {
	sealed, err := sealSecret(b.keyring, c.ClientSecret, ext)
	if err != nil {
		return view.Tenant{}, err
	}
	t, err := b.store.RotateCredentials(ctx, ext, c.ClientID, sealed)
	if err != nil {
		return view.Tenant{}, apiError(err, ext)
	}
	return view.NewTenant(t), nil
}

func (b *apiBackend) SetPaused(ctx context.Context, ext string, paused bool) (view.Tenant, error) {
	t, err := b.store.SetPaused(ctx, ext, paused)
	if err != nil {
		return view.Tenant{}, apiError(err, ext)
	}
	return view.NewTenant(t), nil
}

func (b *apiBackend) RemoveTenant(ctx context.Context, ext string) error {
	return apiError(b.store.RemoveTenant(ctx, ext), ext)
}

// Check verifies a tenant, paused or not, like `worker check`: its alerts
// are enqueued in the check's transaction for the workers to deliver.
func (b *apiBackend) Check(ctx context.Context, ext string) (view.Check, error) {
	t, err := b.store.TenantByExternalID(ctx, ext)
	if err != nil {
		return view.Check{}, apiError(err, ext)
	}
	res, err := b.verifier.Verify(ctx, t.ID, jobs.VerifyOptions{AllowPaused: true})
	if err != nil {
		return view.Check{}, apiError(err, ext)
	}
	return view.NewCheck(res), nil
}

func (b *apiBackend) Status(ctx context.Context, ext string) (view.Status, error) {
	st, err := b.store.Status(ctx, ext)
	if err != nil {
		return view.Status{}, apiError(err, ext)
	}
	return view.NewStatus(st), nil
}

func (b *apiBackend) Incidents(ctx context.Context, q httpapi.IncidentQuery) ([]view.Incident, error) {
	recs, err := b.store.History(ctx, postgres.HistoryFilter{
		TenantExternalID: q.Tenant, Code: q.Code, OpenOnly: q.OpenOnly, Since: q.Since, Limit: q.Limit,
	})
	if err != nil {
		return nil, apiError(err, q.Tenant)
	}
	return view.NewIncidents(recs), nil
}

// apiError translates the store's and the Verifier's errors into the API's,
// naming the tenant. Anything else stays as it is, which the API answers as
// an internal error (and logs).
func apiError(err error, ext string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, postgres.ErrNotFound), errors.Is(err, postgres.ErrTenantGone), errors.Is(err, jobs.ErrTenantGone):
		return &httpapi.Error{Kind: httpapi.KindNotFound, Message: fmt.Sprintf("no tenant with external id %.128q", ext), Err: err}
	case errors.Is(err, postgres.ErrConflict):
		return &httpapi.Error{Kind: httpapi.KindConflict, Message: fmt.Sprintf("a tenant with external id %.128q already exists", ext), Err: err}
	case errors.Is(err, postgres.ErrInvalid):
		e := httpapi.Invalid(validationFields(err)...)
		if len(e.Fields) == 0 {
			// A rule the database enforces without naming a field.
			e.Message = "the request breaks a rule of the store"
		}
		e.Err = err
		return e
	}
	return err
}

// validationFields collects every field the store's (possibly joined)
// validation errors name, in the API's names for them.
func validationFields(err error) []httpapi.FieldError {
	var out []httpapi.FieldError
	switch e := err.(type) {
	case *postgres.ValidationError:
		return []httpapi.FieldError{{Field: apiFieldName(e.Field), Problem: e.Problem}}
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			out = append(out, validationFields(inner)...)
		}
	case interface{ Unwrap() error }:
		out = validationFields(e.Unwrap())
	}
	return out
}

// apiFieldName maps the store's field names to the request's where they
// differ.
func apiFieldName(storeField string) string {
	switch storeField {
	case "check_interval":
		return "interval"
	case "secret":
		return "client_secret"
	}
	return storeField
}
