package view

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

func TestNewTenant(t *testing.T) {
	t.Parallel()
	removed := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	paris := time.FixedZone("CET", 3600)
	base := postgres.Tenant{
		ID: 3, ExternalID: "acme", Name: "Acme", BaseURL: "http://sim.test", ClientID: "cid",
		Secret:     secret.Sealed{KeyID: "k2", Ciphertext: []byte("CIPHERTEXT")},
		Generation: 4, ActingUserEmail: "a@acme.example", CheckInterval: 15 * time.Minute,
		NextCheckAt: time.Date(2026, 12, 1, 13, 0, 0, 0, paris),
	}
	tests := []struct {
		name     string
		edit     func(*postgres.Tenant)
		state    string
		endpoint string
	}{
		{"active with a base URL", func(*postgres.Tenant) {}, TenantActive, "http://sim.test"},
		{"paused in a region", func(t *postgres.Tenant) { t.Paused, t.Region, t.BaseURL = true, "eu1", "" }, TenantPaused, "eu1"},
		{"removed while paused", func(t *postgres.Tenant) { t.Paused, t.RemovedAt = true, &removed }, TenantRemoved, "http://sim.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base
			tt.edit(&in)
			v := NewTenant(in)
			if v.State != tt.state || v.Endpoint != tt.endpoint {
				t.Errorf("state %q endpoint %q, want %q %q", v.State, v.Endpoint, tt.state, tt.endpoint)
			}
			if v.NextCheckAt.Location() != time.UTC || !v.NextCheckAt.Equal(in.NextCheckAt) {
				t.Errorf("next check %v, want %v in UTC", v.NextCheckAt, in.NextCheckAt)
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "CIPHERTEXT") || strings.Contains(string(b), "endpoint") || !strings.Contains(string(b), `"secret_key_id":"k2"`) {
				t.Errorf("tenant JSON %s: want the key id only, and no endpoint", b)
			}
		})
	}
}

// TestEmptyListsAreArrays: the contracts promise [] rather than null.
func TestEmptyListsAreArrays(t *testing.T) {
	t.Parallel()
	for name, v := range map[string]any{
		"status":    NewStatus(postgres.TenantStatus{}),
		"incident":  NewIncident(postgres.IncidentRecord{}),
		"incidents": NewIncidents(nil),
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "null") && !strings.Contains(string(b), `"resolved_at":null`) && !strings.Contains(string(b), `"last_check_at":null`) {
			t.Errorf("%s: %s has a null list", name, b)
		}
	}
}

func TestUndeliveredReadsTheDeliveryRecord(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ev := func(data string) postgres.StoredEvent {
		return postgres.StoredEvent{ID: 9, Event: health.Event{Kind: health.EventAlertFailed, At: at, Code: "ICD-102-B", Detail: "gave up"},
			Data: json.RawMessage(data)}
	}
	tests := []struct {
		name string
		data string
		want Undelivered
	}{
		{"full record", `{"sink":"pager","idempotency_key":"41","alert_event_id":41,"attempts":3,"error":"503","kind":"x"}`,
			Undelivered{EventID: 9, At: at, Code: "ICD-102-B", Detail: "gave up", AlertEventID: 41, IdempotencyKey: "41", Sink: "pager", Attempts: 3, Error: "503"}},
		{"no data", ``, Undelivered{EventID: 9, At: at, Code: "ICD-102-B", Detail: "gave up"}},
		{"unreadable data", `[1,2]`, Undelivered{EventID: 9, At: at, Code: "ICD-102-B", Detail: "gave up"}},
	}
	for _, tt := range tests {
		st := NewStatus(postgres.TenantStatus{FailedAlerts: []postgres.StoredEvent{ev(tt.data)}})
		if len(st.Undelivered) != 1 || st.Undelivered[0] != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, st.Undelivered, tt.want)
		}
	}
}
