package health

import (
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"
)

// richLedger is a hand-built ledger with every field in use, including
// combinations Evaluate never produces, so that the views are tested on
// their definitions rather than on Evaluate's habits.
func richLedger() Ledger {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	return Ledger{
		ClientID:   "client-1",
		Generation: 3,
		Scopes: map[Scope]ScopeRecord{
			users:     {State: ScopeRevoked, FirstGrantedAt: at, LastGrantedAt: at, LastMissingAt: at},
			workflows: {State: ScopeGranted, FirstGrantedAt: at, LastGrantedAt: at},
			records:   {State: ScopeNeverGranted, LastMissingAt: at},
		},
		Capabilities: map[Capability]CapabilityRecord{
			CapabilityCredentials: {EverSatisfied: true, FirstSatisfiedAt: at, LastSatisfiedAt: at, LastFailedAt: at, Failures: 1},
			CapabilityUsers:       {EverSatisfied: true, Failures: 2}, // its B code is open below, so not suspected
			CapabilityRecords:     {EverSatisfied: true, Failures: 1},
		},
		Incidents: map[Code]Incident{
			"ICD-104-A": {Code: "ICD-104-A", Occurrences: 1},
			"ICD-102-B": {Code: "ICD-102-B", Occurrences: 3, Scopes: []Scope{users}},
			"ICD-101-A": {Code: "ICD-101-A", Occurrences: 1},
		},
	}
}

func TestLedgerViews(t *testing.T) {
	t.Parallel()
	l := richLedger()
	if got, want := l.OpenCodes(), []Code{"ICD-101-A", "ICD-102-B", "ICD-104-A"}; !slices.Equal(got, want) {
		t.Errorf("OpenCodes() = %v, want %v", got, want)
	}
	if got, want := l.Suspected(), []Code{"ICD-100-B", "ICD-104-B"}; !slices.Equal(got, want) {
		t.Errorf("Suspected() = %v, want %v", got, want)
	}
	wantStates := map[Scope]ScopeState{
		users: ScopeRevoked, workflows: ScopeGranted, participants: ScopeUnknown, records: ScopeNeverGranted, attachments: ScopeUnknown,
	}
	if got := l.ScopeStates(); !maps.Equal(got, wantStates) {
		t.Errorf("ScopeStates() = %v, want %v", got, wantStates)
	}
	if !l.AwaitingConfirmation() {
		t.Error("AwaitingConfirmation() = false with failures pending")
	}
}

func TestZeroLedgerViews(t *testing.T) {
	t.Parallel()
	var l Ledger
	if len(l.OpenCodes()) != 0 || len(l.Suspected()) != 0 || l.AwaitingConfirmation() {
		t.Errorf("zero ledger: open %v, suspected %v, awaiting %v", l.OpenCodes(), l.Suspected(), l.AwaitingConfirmation())
	}
	if got := l.ScopeStates(); !maps.Equal(got, map[Scope]ScopeState(all(ScopeUnknown))) {
		t.Errorf("zero ledger: ScopeStates() = %v", got)
	}
	if got := l.Clone(); !reflect.DeepEqual(got, l) {
		t.Errorf("zero ledger: Clone() = %+v", got)
	}
}

func TestAwaitingConfirmation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		l    Ledger
		want bool
	}{
		{"nothing pending", Ledger{Capabilities: map[Capability]CapabilityRecord{CapabilityUsers: {EverSatisfied: true}}, Scopes: map[Scope]ScopeRecord{users: {State: ScopeGranted}}}, false},
		{"a capability failure pending", Ledger{Capabilities: map[Capability]CapabilityRecord{CapabilityUsers: {Failures: 1}}}, true},
		{"a scope miss pending", Ledger{Scopes: map[Scope]ScopeRecord{records: {State: ScopeGranted, Misses: 1}}}, true},
	}
	for _, tt := range tests {
		if got := tt.l.AwaitingConfirmation(); got != tt.want {
			t.Errorf("%s: AwaitingConfirmation() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	t.Parallel()
	orig := richLedger()
	c := orig.Clone()
	if !reflect.DeepEqual(c, orig) {
		t.Fatalf("Clone() = %+v, want %+v", c, orig)
	}
	c.ClientID = "changed"
	c.Scopes[participants] = ScopeRecord{State: ScopeGranted}
	c.Capabilities[CapabilityWorkflows] = CapabilityRecord{Failures: 9}
	c.Incidents["ICD-102-B"].Scopes[0] = "changed"
	delete(c.Incidents, "ICD-104-A")
	if !reflect.DeepEqual(orig, richLedger()) {
		t.Fatalf("changing a clone changed its original: %+v", orig)
	}
}
