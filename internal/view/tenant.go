package view

import (
	"time"

	"github.com/grantwatch/grantwatch/internal/postgres"
)

// Tenant states as Tenant.State spells them.
const (
	TenantActive  = "active"
	TenantPaused  = "paused"
	TenantRemoved = "removed"
)

// Tenant is one tenant as `tenant list --json`, `tenant show --json` and
// the HTTP API show it.
type Tenant struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Region     string `json:"region,omitempty"`
	BaseURL    string `json:"base_url,omitempty"`
	// Endpoint is the region or, failing that, the base URL: one column
	// for tables. JSON has the two fields it comes from instead.
	Endpoint        string    `json:"-"`
	ClientID        string    `json:"client_id"`
	ActingUserEmail string    `json:"acting_user_email"`
	Generation      int64     `json:"generation"`
	Interval        string    `json:"interval"` // a Go duration, e.g. "15m0s"
	NextCheckAt     time.Time `json:"next_check_at"`
	State           string    `json:"state"` // TenantActive, TenantPaused or TenantRemoved
	// SecretKeyID names the key that sealed the client secret, which helps
	// when rotating keys; the secret itself is never shown.
	SecretKeyID string `json:"secret_key_id"`
}

// NewTenant shows a stored tenant.
func NewTenant(t postgres.Tenant) Tenant {
	v := Tenant{
		ID: t.ID, ExternalID: t.ExternalID, Name: t.Name, Region: t.Region, BaseURL: t.BaseURL,
		Endpoint: t.Region, ClientID: t.ClientID, ActingUserEmail: t.ActingUserEmail,
		Generation: t.Generation, Interval: t.CheckInterval.String(), NextCheckAt: t.NextCheckAt.UTC(),
		State: TenantActive, SecretKeyID: t.Secret.KeyID,
	}
	if v.Endpoint == "" {
		v.Endpoint = t.BaseURL
	}
	switch {
	case t.RemovedAt != nil:
		v.State = TenantRemoved
	case t.Paused:
		v.State = TenantPaused
	}
	return v
}
