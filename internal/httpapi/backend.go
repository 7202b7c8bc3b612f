package httpapi

import (
	"context"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/secret"
	"github.com/grantwatch/grantwatch/internal/view"
)

// Backend does what the /v1 API asks. The worker implements it with its
// store, keyring and Verifier; errors the caller can act on are *Error
// (not found, conflict, invalid), anything else is answered as a 500.
type Backend interface {
	// CreateTenant stores a tenant, due for its first check at once.
	CreateTenant(ctx context.Context, t NewTenant) (view.Tenant, error)
	// ListTenants returns one page of tenants in id order.
	ListTenants(ctx context.Context, p Page) ([]view.Tenant, error)
	// Tenant returns the live tenant with that external id.
	Tenant(ctx context.Context, externalID string) (view.Tenant, error)
	// RotateCredentials replaces a tenant's client secret, and its client
	// id when c.ClientID is set; a check is due at once.
	RotateCredentials(ctx context.Context, externalID string, c Credentials) (view.Tenant, error)
	// SetPaused pauses or resumes a tenant's scheduled checks.
	SetPaused(ctx context.Context, externalID string, paused bool) (view.Tenant, error)
	// RemoveTenant removes a tenant; its history is kept.
	RemoveTenant(ctx context.Context, externalID string) error
	// Check verifies a tenant now, paused or not, through the same path as
	// the scheduled job, and records the result.
	Check(ctx context.Context, externalID string) (view.Check, error)
	// Status returns what is known about a tenant now.
	Status(ctx context.Context, externalID string) (view.Status, error)
	// Incidents returns matching incidents, most recently opened first. An
	// unknown q.Tenant is a KindNotFound error, not an empty list.
	Incidents(ctx context.Context, q IncidentQuery) ([]view.Incident, error)
}

// NewTenant is a request to add a tenant. The API has checked that the
// required fields are present; the backend checks the rest.
type NewTenant struct {
	ExternalID string
	// Name defaults to ExternalID.
	Name string
	// Exactly one of Region and BaseURL is set.
	Region  string
	BaseURL string
	// ClientID and ClientSecret are the Ironclad application's OAuth
	// client credentials.
	ClientID        string
	ClientSecret    secret.Secret
	ActingUserEmail string
	// Interval is how often to check; zero means the configured default.
	Interval time.Duration
}

// Credentials are a tenant's new client secret and, optionally, a new client
// id (a new Ironclad application).
type Credentials struct {
	ClientID     string // empty keeps the current one
	ClientSecret secret.Secret
}

// Page selects one page of tenants.
type Page struct {
	// AfterID continues after the last tenant of the previous page.
	AfterID int64
	// Limit is the page size, 1 to maxPageSize.
	Limit          int
	IncludeRemoved bool
}

// IncidentQuery selects incidents; zero fields do not filter.
type IncidentQuery struct {
	Tenant   string // external id
	Code     health.Code
	OpenOnly bool
	Since    time.Time // opened at or after
	Limit    int       // 1 to maxPageSize
}
