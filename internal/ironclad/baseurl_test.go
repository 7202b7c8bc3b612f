package ironclad

import (
	"errors"
	"strings"
	"testing"
)

func TestResolveBaseURL(t *testing.T) {
	t.Parallel()
	allow := []string{"http://127.0.0.1:80", "http://sim.test:8080/ironclad", "https://[::1]:9443", "not a url"}
	tests := []struct {
		name, region, baseURL string
		want                  string
		wantErr               error
	}{
		{name: "na1", region: "na1", want: "https://na1.ironcladapp.com"},
		{name: "eu1", region: "eu1", want: "https://eu1.ironcladapp.com"},
		{name: "demo", region: "demo", want: "https://demo.ironcladapp.com"},
		{name: "unknown region", region: "us2", wantErr: ErrUnknownRegion},
		{name: "region is case sensitive", region: "NA1", wantErr: ErrUnknownRegion},
		{name: "nothing set", wantErr: ErrUnknownRegion},
		{name: "both set", region: "na1", baseURL: "http://127.0.0.1", wantErr: ErrBaseURLNotAllowed},
		{name: "region URL needs no allowance", baseURL: "https://EU1.ironcladapp.com/", want: "https://eu1.ironcladapp.com"},
		{name: "region URL with default port", baseURL: "https://demo.ironcladapp.com:443", want: "https://demo.ironcladapp.com"},
		{name: "allowed, default port spelled out", baseURL: "http://127.0.0.1", want: "http://127.0.0.1"},
		{name: "allowed host, other port", baseURL: "http://127.0.0.1:8080", wantErr: ErrBaseURLNotAllowed},
		{name: "port followed by a host name", baseURL: "http://127.0.0.1:8080.evil", wantErr: ErrBaseURLNotAllowed},
		{name: "allowed prefix as a string only", baseURL: "http://127.0.0.1.evil.test", wantErr: ErrBaseURLNotAllowed},
		{name: "allowed path", baseURL: "http://sim.test:8080/ironclad", want: "http://sim.test:8080/ironclad"},
		{name: "below allowed path", baseURL: "http://SIM.test:8080/ironclad/eu/", want: "http://sim.test:8080/ironclad/eu"},
		{name: "path sharing a string prefix", baseURL: "http://sim.test:8080/ironcladx", wantErr: ErrBaseURLNotAllowed},
		{name: "above allowed path", baseURL: "http://sim.test:8080/", wantErr: ErrBaseURLNotAllowed},
		{name: "dot segments", baseURL: "http://sim.test:8080/ironclad/../admin", wantErr: ErrBaseURLNotAllowed},
		{name: "escaped slash", baseURL: "http://sim.test:8080/ironclad%2F..%2Fadmin", wantErr: ErrBaseURLNotAllowed},
		{name: "other scheme", baseURL: "https://127.0.0.1", wantErr: ErrBaseURLNotAllowed},
		{name: "IPv6", baseURL: "https://[::1]:9443", want: "https://[::1]:9443"},
		{name: "user information", baseURL: "http://user:pw@127.0.0.1", wantErr: ErrBaseURLNotAllowed},
		{name: "query", baseURL: "http://127.0.0.1/?x=1", wantErr: ErrBaseURLNotAllowed},
		{name: "not http", baseURL: "file:///etc/passwd", wantErr: ErrBaseURLNotAllowed},
		{name: "relative", baseURL: "/oauth", wantErr: ErrBaseURLNotAllowed},
		{name: "internal address", baseURL: "http://169.254.169.254", wantErr: ErrBaseURLNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ResolveBaseURL(tt.region, tt.baseURL, allow)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ResolveBaseURL(%q, %q) error = %v, want %v", tt.region, tt.baseURL, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ResolveBaseURL(%q, %q) = %q, want %q", tt.region, tt.baseURL, got, tt.want)
			}
		})
	}
}

func TestResolveBaseURLErrorNamesTheVariable(t *testing.T) {
	t.Parallel()
	_, err := ResolveBaseURL("", "http://10.0.0.1", nil)
	if err == nil || !strings.Contains(err.Error(), "GRANTWATCH_ALLOW_BASE_URLS") {
		t.Fatalf("error = %v, want one naming GRANTWATCH_ALLOW_BASE_URLS", err)
	}
}

func TestResolveBaseURLErrorHidesPassword(t *testing.T) {
	t.Parallel()
	_, err := ResolveBaseURL("", "http://user:hunter2@127.0.0.1", []string{"http://127.0.0.1"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error = %v, want a refusal that does not repeat the password", err)
	}
}

func TestParseAllowList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{name: "empty", in: "", want: nil},
		{name: "blank entries skipped", in: " , ,", want: nil},
		{name: "several", in: "http://127.0.0.1:8080, https://Sim.Test/ironclad/", want: []string{"http://127.0.0.1:8080", "https://sim.test/ironclad"}},
		{name: "default ports dropped", in: "http://h:80,https://h:443", want: []string{"http://h", "https://h"}},
		{name: "host only", in: "127.0.0.1:8080", wantErr: true},
		{name: "no scheme", in: "sim.test", wantErr: true},
		{name: "ftp", in: "ftp://sim.test", wantErr: true},
		{name: "bad port", in: "http://127.0.0.1:8080.evil", wantErr: true},
		{name: "fragment", in: "http://sim.test/#x", wantErr: true},
		{name: "user information", in: "http://a:b@sim.test", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseAllowList(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseAllowList(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), AllowBaseURLsVariable) {
					t.Errorf("error %q does not name %s", err, AllowBaseURLsVariable)
				}
				return
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("ParseAllowList(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAllowListRoundTrip(t *testing.T) {
	t.Parallel()
	allow, err := ParseAllowList("http://127.0.0.1:43210")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ResolveBaseURL("", "http://127.0.0.1:43210/", allow)
	if err != nil || got != "http://127.0.0.1:43210" {
		t.Fatalf("ResolveBaseURL = %q, %v; want the allowed URL", got, err)
	}
}
