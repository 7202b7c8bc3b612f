package health

import (
	"errors"
	"strings"
	"testing"
)

func TestCodeFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		capability Capability
		kind       Kind
		want       Code
	}{
		{CapabilityCredentials, KindA, "ICD-100-A"},
		{CapabilityCredentials, KindB, "ICD-100-B"},
		{CapabilityApplication, KindA, "ICD-101-A"},
		{CapabilityApplication, KindB, "ICD-101-B"},
		{CapabilityUsers, KindA, "ICD-102-A"},
		{CapabilityUsers, KindB, "ICD-102-B"},
		{CapabilityWorkflows, KindA, "ICD-103-A"},
		{CapabilityWorkflows, KindB, "ICD-103-B"},
		{CapabilityRecords, KindA, "ICD-104-A"},
		{CapabilityRecords, KindB, "ICD-104-B"},
		{"billing", KindA, ""},
		{CapabilityUsers, "C", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		got := CodeFor(tt.capability, tt.kind)
		if got != tt.want {
			t.Errorf("CodeFor(%q, %q) = %q, want %q", tt.capability, tt.kind, got, tt.want)
		}
		if tt.want == "" {
			continue
		}
		// The accessors invert CodeFor.
		if got.Capability() != tt.capability || got.Kind() != tt.kind || !got.Valid() {
			t.Errorf("%s: Capability() = %q, Kind() = %q, Valid() = %v", got, got.Capability(), got.Kind(), got.Valid())
		}
	}
}

func TestInvalidCodeHasNoCapabilityOrKind(t *testing.T) {
	t.Parallel()
	for _, c := range []Code{"", "ICD-100", "ICD-100-", "ICD-099-A", "ICD-105-B", "ICD-1000-A", "ICD-+01-A", "ICX-100-A", "ICD-100-AB", "icd-100-a", "ICD-10a-A"} {
		if c.Capability() != "" || c.Kind() != "" || c.Valid() {
			t.Errorf("%q: Capability() = %q, Kind() = %q, Valid() = %v; want empty, empty, false", c, c.Capability(), c.Kind(), c.Valid())
		}
	}
}

func TestParseCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Code
	}{
		{"ICD-100-A", "ICD-100-A"},
		{"ICD-104-B", "ICD-104-B"},
		{"  icd-102-b\n", "ICD-102-B"},
		{"Icd-103-a", "ICD-103-A"},
	}
	for _, tt := range tests {
		got, err := ParseCode(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "ICD-105-A", "ICD-102-C", "102-B", "ICD-102-B-1", strings.Repeat("x", 100)} {
		got, err := ParseCode(in)
		if !errors.Is(err, ErrInvalidCode) || got != "" {
			t.Errorf("ParseCode(%q) = %q, %v; want ErrInvalidCode", in, got, err)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("ParseCode(%q): error is %d bytes long, want the input shortened", in, len(err.Error()))
		}
	}
}
