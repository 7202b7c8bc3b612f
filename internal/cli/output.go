package cli

import (
	"encoding/json"
	"io"
	"slices"
	"time"

	"github.com/grantwatch/grantwatch/internal/postgres"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// nonNil makes an empty result print as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}

// utc normalises a timestamp for output: RFC 3339 in UTC.
func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type tenantJSON struct {
	ID              int64     `json:"id"`
	ExternalID      string    `json:"external_id"`
	Name            string    `json:"name"`
	Region          string    `json:"region,omitempty"`
	BaseURL         string    `json:"base_url,omitempty"`
	Endpoint        string    `json:"-"`
	ClientID        string    `json:"client_id"`
	ActingUserEmail string    `json:"acting_user_email"`
	Generation      int64     `json:"generation"`
	Interval        string    `json:"interval"`
	NextCheckAt     time.Time `json:"next_check_at"`
	State           string    `json:"state"` // active | paused | removed
	SecretKeyID     string    `json:"secret_key_id"`
}

func toTenantJSON(t postgres.Tenant) tenantJSON {
	j := tenantJSON{
		ID: t.ID, ExternalID: t.ExternalID, Name: t.Name, Region: t.Region, BaseURL: t.BaseURL,
		Endpoint: t.Region, ClientID: t.ClientID, ActingUserEmail: t.ActingUserEmail,
		Generation: t.Generation, Interval: t.CheckInterval.String(), NextCheckAt: utc(t.NextCheckAt),
		State: "active", SecretKeyID: t.Secret.KeyID,
	}
	if j.Endpoint == "" {
		j.Endpoint = t.BaseURL
	}
	switch {
	case t.RemovedAt != nil:
		j.State = "removed"
	case t.Paused:
		j.State = "paused"
	}
	return j
}
