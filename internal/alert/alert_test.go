package alert

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alert Alert
		want  string
	}{
		{Alert{EventID: 42}, "42"},
		{Alert{EventID: 42, Reminder: 3}, "42-reminder-3"},
		{TestAlert(time.Unix(1700000000, 5)), "test-1700000000000000005"},
	}
	for _, tt := range tests {
		if got := tt.alert.IdempotencyKey(); got != tt.want {
			t.Errorf("IdempotencyKey() = %q, want %q", got, tt.want)
		}
	}
}

// TestAlertJSONRoundTrip guards delivery jobs, which carry alerts as JSON:
// what a retry sends must be what the first attempt sent.
func TestAlertJSONRoundTrip(t *testing.T) {
	t.Parallel()
	resolved := t0.Add(time.Hour)
	want := Alert{
		EventID: 12, EventIDs: []int64{10, 12}, Reminder: 2, IncidentID: 3, CheckID: 4,
		TenantID: 7, Tenant: "acme", TenantName: "Acme Corp",
		Code: "ICD-103-B", Capability: health.CapabilityWorkflows, Severity: health.SeverityCritical,
		State: StateResolved, Kind: KindIncidentResolved,
		Title: "t", Message: "m", Remedy: []string{"r"}, Scopes: []health.Scope{health.ScopeReadWorkflows},
		Evidence: "e", OccurredAt: t0, OpenedAt: t0, ResolvedAt: &resolved, Link: "https://x/y", Test: true,
	}
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got Alert
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the alert:\n got %+v\nwant %+v", got, want)
	}
}
