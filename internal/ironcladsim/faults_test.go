package ironcladsim

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// plainGet does a GET with a fresh, plain http.Client (no keep-alive, so no
// transparent retry on a reused connection) and returns the raw outcome.
func plainGet(t *testing.T, url, token string, timeout time.Duration) (*http.Response, []byte, error) {
	t.Helper()
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-As-User-Email", "admin@demo.example.com")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestFaultsAsSeenByAPlainClient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, resp *http.Response, body []byte, err error, elapsed time.Duration)
	}{
		{
			name:  "latency",
			fault: Fault{Kind: FaultLatency, Latency: 150 * time.Millisecond},
			check: func(t *testing.T, resp *http.Response, body []byte, err error, elapsed time.Duration) {
				wantStatus(t, resp, err, http.StatusOK)
				if elapsed < 150*time.Millisecond {
					t.Errorf("answered after %v, want at least 150ms", elapsed)
				}
				if !json.Valid(body) {
					t.Errorf("body after latency is not JSON: %s", body)
				}
			},
		},
		{
			name:  "server error, default 503",
			fault: Fault{Kind: FaultServerError},
			check: func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration) {
				wantStatus(t, resp, err, http.StatusServiceUnavailable)
				wantContentType(t, resp, "text/plain; charset=utf-8")
				if json.Valid(body) {
					t.Errorf("server error body is JSON: %s", body)
				}
			},
		},
		{
			name:  "server error, given status",
			fault: Fault{Kind: FaultServerError, Status: http.StatusBadGateway},
			check: func(t *testing.T, resp *http.Response, _ []byte, err error, _ time.Duration) {
				wantStatus(t, resp, err, http.StatusBadGateway)
			},
		},
		{
			name:  "rate limit with Retry-After",
			fault: Fault{Kind: FaultRateLimit, RetryAfter: "7"},
			check: func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration) {
				wantStatus(t, resp, err, http.StatusTooManyRequests)
				if got := resp.Header.Get("Retry-After"); got != "7" {
					t.Errorf("Retry-After %q, want 7", got)
				}
				var e apiError
				if json.Unmarshal(body, &e) != nil || e.Code != "TOO_MANY_REQUESTS" {
					t.Errorf("body %s, want TOO_MANY_REQUESTS", body)
				}
			},
		},
		{
			name:  "rate limit without Retry-After",
			fault: Fault{Kind: FaultRateLimit},
			check: func(t *testing.T, resp *http.Response, _ []byte, err error, _ time.Duration) {
				wantStatus(t, resp, err, http.StatusTooManyRequests)
				if _, ok := resp.Header["Retry-After"]; ok {
					t.Error("Retry-After sent though none was configured")
				}
			},
		},
		{
			name:  "reset",
			fault: Fault{Kind: FaultReset},
			check: func(t *testing.T, resp *http.Response, _ []byte, err error, _ time.Duration) {
				if err == nil {
					t.Fatalf("got status %d, want a connection error", resp.StatusCode)
				}
				if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("error %v, want a reset or EOF", err)
				}
			},
		},
		{
			name:  "hang until the client times out",
			fault: Fault{Kind: FaultHang},
			check: func(t *testing.T, _ *http.Response, _ []byte, err error, _ time.Duration) {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Errorf("error %v, want a client timeout", err)
				}
			},
		},
		{
			name:  "malformed JSON keeps the normal status",
			fault: Fault{Kind: FaultMalformedJSON},
			check: func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration) {
				wantStatus(t, resp, err, http.StatusOK)
				wantContentType(t, resp, "application/json; charset=utf-8")
				if len(body) == 0 || json.Valid(body) {
					t.Errorf("body %q, want non-empty invalid JSON", body)
				}
			},
		},
		{
			name:  "HTML with 200",
			fault: Fault{Kind: FaultHTML200},
			check: func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration) {
				wantStatus(t, resp, err, http.StatusOK)
				wantContentType(t, resp, "text/html; charset=utf-8")
				if json.Valid(body) {
					t.Error("HTML body parses as JSON")
				}
			},
		},
		{
			name:  "oversized",
			fault: Fault{Kind: FaultOversized},
			check: func(t *testing.T, resp *http.Response, body []byte, err error, _ time.Duration) {
				wantStatus(t, resp, err, http.StatusOK)
				if len(body) <= 2<<20 {
					t.Errorf("body of %d bytes, want more than 2 MiB", len(body))
				}
				if !json.Valid(body) {
					t.Error("oversized body is not valid JSON")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{})
			tok := e.token(t)
			e.sim.SetFault(e.demo.CompanyID, tt.fault)
			start := time.Now()
			resp, body, err := plainGet(t, e.srv.URL+userinfoPath, tok, time.Second)
			tt.check(t, resp, body, err, time.Since(start))
		})
	}
}

func wantStatus(t *testing.T, resp *http.Response, err error, status int) {
	t.Helper()
	if err != nil {
		t.Fatalf("request failed: %v", err)
	}
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d", resp.StatusCode, status)
	}
}

func wantContentType(t *testing.T, resp *http.Response, ct string) {
	t.Helper()
	if got := resp.Header.Get("Content-Type"); got != ct {
		t.Errorf("Content-Type %q, want %q", got, ct)
	}
}

func TestFaultOnTokenEndpointIsAttributedByClientID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	otherID, otherSecret := addCompanyWithApp(t, e, "other", 0)
	e.sim.SetFault(e.demo.CompanyID, Fault{Kind: FaultServerError, PathPrefix: tokenPath})

	if resp := e.do(t, e.tokenRequest(t, e.creds(), nil, false)); resp.status != http.StatusServiceUnavailable {
		t.Errorf("faulted company, body creds: status %d, want 503", resp.status)
	}
	basic := e.creds()
	basic.basic = true
	if resp := e.do(t, e.tokenRequest(t, basic, nil, true)); resp.status != http.StatusServiceUnavailable {
		t.Errorf("faulted company, Basic: status %d, want 503", resp.status)
	}
	if resp := e.do(t, e.tokenRequest(t, tokenCreds{id: otherID, secret: otherSecret}, nil, false)); resp.status != http.StatusOK {
		t.Errorf("other company: status %d, want 200", resp.status)
	}
	// A malformed token request is still attributed and faulted.
	if resp := e.do(t, rawRequest("application/json", `{"client_id":"`+e.demo.ClientID+`","scope":1}`, "")(t, e)); resp.status != http.StatusServiceUnavailable {
		t.Errorf("malformed request of the faulted company: status %d, want 503", resp.status)
	}

	e.sim.ClearFaults(e.demo.CompanyID)
	if resp := e.do(t, e.tokenRequest(t, e.creds(), nil, false)); resp.status != http.StatusOK {
		t.Errorf("after ClearFaults: status %d, want 200", resp.status)
	}
}

func TestFaultMalformedJSONOnAnError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetFault(e.demo.CompanyID, Fault{Kind: FaultMalformedJSON, PathPrefix: tokenPath})
	resp := e.do(t, e.tokenRequest(t, tokenCreds{id: e.demo.ClientID, secret: "wrong"}, nil, false))
	if resp.status != http.StatusUnauthorized || json.Valid(resp.raw) || len(resp.raw) == 0 {
		t.Errorf("got %d %q, want 401 with a garbled body", resp.status, resp.raw)
	}
}

func TestFaultScoping(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	status := func(path, token string) int {
		t.Helper()
		return e.get(t, path, token, e.demo.ActingUserEmail).status
	}

	// A path prefix limits the fault.
	e.sim.SetFault(e.demo.CompanyID, Fault{Kind: FaultServerError, Status: 500, PathPrefix: "/scim/"})
	if got := status(scimUsersPath, tok); got != 500 {
		t.Errorf("faulted path: %d, want 500", got)
	}
	if got := status(recordsPath, tok); got != 200 {
		t.Errorf("other path: %d, want 200", got)
	}

	// The same prefix replaces; another prefix adds; the longer prefix wins.
	e.sim.SetFault(e.demo.CompanyID, Fault{Kind: FaultServerError, Status: 502, PathPrefix: "/scim/"})
	e.sim.SetFault(e.demo.CompanyID, Fault{Kind: FaultServerError, Status: 504, PathPrefix: ""})
	if got := status(scimUsersPath, tok); got != 502 {
		t.Errorf("replaced fault: %d, want 502", got)
	}
	if got := status(recordsPath, tok); got != 504 {
		t.Errorf("catch-all fault: %d, want 504", got)
	}

	// A company fault wins over a global one with the same prefix.
	e.sim.SetFault("", Fault{Kind: FaultRateLimit})
	if got := status(recordsPath, tok); got != 504 {
		t.Errorf("company over global: %d, want 504", got)
	}
	e.sim.ClearFaults(e.demo.CompanyID)

	// Global faults reach every request, unattributed ones included.
	if got := status(recordsPath, tok); got != 429 {
		t.Errorf("global fault: %d, want 429", got)
	}
	if got := status(recordsPath, "unknown"); got != 429 {
		t.Errorf("global fault, unknown token: %d, want 429", got)
	}
	e.sim.ClearFaults("")
	if got := status(recordsPath, tok); got != 200 {
		t.Errorf("after clearing: %d, want 200", got)
	}

	// An unknown kind is ignored.
	e.sim.SetFault("", Fault{Kind: "nonsense"})
	if got := status(recordsPath, tok); got != 200 {
		t.Errorf("unknown kind: %d, want 200", got)
	}
}

func TestFaultLatencyThenAnotherFault(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	e.sim.SetFault("", Fault{Kind: FaultLatency, Latency: 100 * time.Millisecond})
	e.sim.SetFault(e.demo.CompanyID, Fault{Kind: FaultServerError})
	start := time.Now()
	resp, _, err := plainGet(t, e.srv.URL+recordsPath, tok, time.Second)
	wantStatus(t, resp, err, http.StatusServiceUnavailable)
	if elapsed := time.Since(start); elapsed < 100*time.Millisecond {
		t.Errorf("answered after %v, want the global latency first", elapsed)
	}
}

func TestFaultLatencyEndsWithTheClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	e.sim.SetFault(e.demo.CompanyID, Fault{Kind: FaultLatency, Latency: time.Hour})
	_, _, err := plainGet(t, e.srv.URL+recordsPath, tok, 100*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %v, want a client timeout", err)
	}
	// The cleanup's srv.Close waits for the handler: it must have ended.
}
