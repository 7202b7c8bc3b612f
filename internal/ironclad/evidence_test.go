package ironclad

import (
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{" 30 ", 30 * time.Second},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"99999999999999999999", maxRetryAfter},
		{"86401", maxRetryAfter},
		{"Sat, 01 Mar 2025 12:02:00 GMT", 2 * time.Minute},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0},
		{"Sunday, 02-Mar-25 12:00:00 GMT", maxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"", 10, ""},
		{"  invalid\r\n client\t ", 50, "invalid client"},
		{"a\x00b", 10, "a b"},
		{"bad \xff byte", 20, "bad \uFFFD byte"},
		{"0123456789", 10, "0123456789"},
		{"01234567890", 10, "012345678…"},
		{"héllo wörld", 6, "héllo…"},
		{"abcd efgh", 6, "abcd…"},
		{strings.Repeat("x", 100000), 5, "xxxx…"},
	}
	for _, tt := range tests {
		got := clean(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("clean(%.20q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		assertClean(t, got, tt.max)
	}
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	var r redactor
	r.add("s3cr+t/=")
	r.add("tok123")
	r.add("")
	ev := health.Evidence{
		OAuthError: "tok123",
		Message:    "secret s3cr+t/= or s3cr%2Bt%2F%3D and tok123",
		RequestID:  "req-tok123",
		APIError:   "FORBIDDEN",
	}
	r.scrubEvidence(&ev)
	want := health.Evidence{
		OAuthError: "[redacted]",
		Message:    "secret [redacted] or [redacted] and [redacted]",
		RequestID:  "req-[redacted]",
		APIError:   "FORBIDDEN",
	}
	if ev != want {
		t.Errorf("scrubbed evidence = %+v, want %+v", ev, want)
	}
}
