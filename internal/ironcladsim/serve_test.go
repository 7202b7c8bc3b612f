package ironcladsim

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// served is a running Serve: its base URL, the printed demo credentials and
// the channel its result arrives on.
type served struct {
	env  *env // only client and demo are set: requests go to base
	base string
	done chan error
}

// startServe runs Serve on 127.0.0.1:0 until cancel is called and reads what
// it prints.
func startServe(t *testing.T) (*served, context.CancelFunc) {
	t.Helper()
	return startServeDemo(t, DemoCompany{})
}

// startServeDemo is startServe with chosen demo values.
func startServeDemo(t *testing.T, demo DemoCompany) (*served, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := ServeDemo(ctx, "127.0.0.1:0", demo, pw)
		_ = pw.CloseWithError(err)
		done <- err
	}()

	printed := map[string]string{}
	var base string
	sc := bufio.NewScanner(pr)
	for len(printed) < 4 && sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "ironclad simulator listening on "); ok {
			base = rest
			continue
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("unexpected line %q", line)
		}
		printed[k] = v
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // never block Serve on its output
	if u, err := url.Parse(base); err != nil || u.Scheme != "http" || !strings.HasPrefix(u.Host, "127.0.0.1:") {
		cancel()
		t.Fatalf("printed base URL %q (%v)", base, err)
	}
	e := &env{client: newClient(t), demo: DemoCompany{
		CompanyID:       printed["demo company id"],
		ClientID:        printed["demo client id"],
		ClientSecret:    printed["demo client secret"],
		ActingUserEmail: printed["demo acting user email"],
	}}
	return &served{env: e, base: base, done: done}, cancel
}

// wait returns Serve's result, failing the test if it takes too long.
func (s *served) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
		return nil
	}
}

// token obtains a token from the served simulator with HTTP Basic.
func (s *served) token(t *testing.T) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {strings.Join(allScopes, " ")}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.base+tokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basicHeader(s.env.demo.ClientID, s.env.demo.ClientSecret))
	resp := s.env.do(t, req)
	if resp.status != http.StatusOK || resp.str("access_token") == "" {
		t.Fatalf("token from the served simulator: %d %s", resp.status, resp.raw)
	}
	return resp.str("access_token")
}

// control sends a /_sim/ request to the served simulator.
func (s *served) control(t *testing.T, method, path, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return s.env.do(t, req)
}

func TestServe(t *testing.T) {
	t.Parallel()
	s, cancel := startServe(t)
	defer cancel()
	s.token(t)

	cancel()
	if err := s.wait(t); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if resp, err := newClient(t).Get(s.base + userinfoPath); err == nil {
		resp.Body.Close()
		t.Error("the simulator still answers after Serve returned")
	}
}

func TestServeEndsHangingRequests(t *testing.T) {
	t.Parallel()
	s, cancel := startServe(t)
	defer cancel()
	tok := s.token(t)
	company := s.env.demo.CompanyID
	if resp := s.control(t, http.MethodPut, "/_sim/faults", `{"company_id":"`+company+`","kind":"hang"}`); resp.status != http.StatusNoContent {
		t.Fatalf("setting the fault: %d %s", resp.status, resp.raw)
	}

	// A client with no timeout of its own: only the shutdown can end it.
	hangClient := newClient(t)
	hangClient.Timeout = 0
	hung := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, s.base+userinfoPath, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := hangClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		hung <- err
	}()
	// The hanging request has arrived once the company has two calls.
	deadline := time.Now().Add(5 * time.Second)
	for s.control(t, http.MethodGet, "/_sim/companies/"+company+"/calls", "").body["calls"] != float64(2) {
		if time.Now().After(deadline) {
			t.Fatal("the hanging request never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}

	cancel()
	if err := s.wait(t); err != nil {
		t.Fatalf("Serve with a hanging request: %v", err)
	}
	select {
	case err := <-hung:
		if err == nil {
			t.Error("the hanging request got an answer; want a broken connection")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the hanging request outlived the server")
	}
}

func TestServeBadAddress(t *testing.T) {
	t.Parallel()
	err := Serve(t.Context(), "127.0.0.1:notaport", io.Discard)
	if err == nil || !strings.Contains(err.Error(), "listening on 127.0.0.1:notaport") {
		t.Errorf("Serve on a bad address: %v", err)
	}
}

func TestServeDemoWithChosenCredentials(t *testing.T) {
	t.Parallel()
	want := DemoCompany{ClientID: "a8e0602b-e721-4635-9610-239f7b59aa6e", ClientSecret: "from-a-file", ActingUserEmail: "admin@demo.example"}
	s, cancel := startServeDemo(t, want)
	defer cancel()
	got := s.env.demo
	if got.ClientID != want.ClientID || got.ClientSecret != want.ClientSecret || got.ActingUserEmail != want.ActingUserEmail || got.CompanyID == "" {
		t.Errorf("printed %+v, want the chosen values %+v and a company id", got, want)
	}
	s.token(t)
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatalf("ServeDemo: %v", err)
	}
}
