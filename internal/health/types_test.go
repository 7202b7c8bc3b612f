package health

import (
	"slices"
	"testing"
	"time"
)

func TestScopesAndCapabilitiesAgree(t *testing.T) {
	t.Parallel()
	var all []Scope
	for _, c := range Capabilities {
		for _, s := range ScopesOf(c) {
			if CapabilityOf(s) != c {
				t.Errorf("ScopesOf(%s) has %s, but CapabilityOf(%s) = %q", c, s, s, CapabilityOf(s))
			}
			all = append(all, s)
		}
	}
	// Every integration scope serves exactly one capability, and the
	// capability order lists them in Scopes order.
	if !slices.Equal(all, Scopes) {
		t.Errorf("scopes by capability = %v, want %v", all, Scopes)
	}
	if got := CapabilityOf("public.contracts.write"); got != "" {
		t.Errorf("CapabilityOf(unknown scope) = %q, want empty", got)
	}
}

func TestOutcomeConclusive(t *testing.T) {
	t.Parallel()
	for o, want := range map[Outcome]bool{OutcomeOK: true, OutcomeDenied: true, OutcomeInconclusive: false, OutcomeUnobserved: false} {
		if o.Conclusive() != want {
			t.Errorf("%q.Conclusive() = %v, want %v", o, o.Conclusive(), want)
		}
		if (Observation{Credentials: o}).Conclusive() != want {
			t.Errorf("an observation with credentials %q: Conclusive() = %v, want %v", o, !want, want)
		}
	}
}

func TestRateLimited(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		evidence []Evidence
		wantWait time.Duration
		want     bool
	}{
		{"no exchange", nil, 0, false},
		{"no 429", []Evidence{{Status: 200}, {Status: 503, RetryAfter: time.Minute}}, 0, false},
		{"429 without Retry-After", []Evidence{{Status: 200}, {Status: 429}}, 0, true},
		{"the longest Retry-After wins", []Evidence{{Status: 429, RetryAfter: 5 * time.Second}, {Status: 429, RetryAfter: 30 * time.Second}, {Status: 429}}, 30 * time.Second, true},
	}
	for _, tt := range tests {
		wait, limited := Observation{Evidence: tt.evidence}.RateLimited()
		if wait != tt.wantWait || limited != tt.want {
			t.Errorf("%s: RateLimited() = %v, %v; want %v, %v", tt.name, wait, limited, tt.wantWait, tt.want)
		}
	}
}
