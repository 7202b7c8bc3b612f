package ironclad

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// TestCheckRefusesConnection: a connection no check can be made with is an
// error, and no request leaves the process.
func TestCheckRefusesConnection(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, ironcladsim.DialectIronclad)
	tn := e.addTenant(t, health.Scopes, true, 0)
	tests := []struct {
		name    string
		change  func(*Connection)
		wantErr error
	}{
		{"base URL not allowed", func(c *Connection) { c.BaseURL = "http://127.0.0.1:1" }, ErrBaseURLNotAllowed},
		{"region and base URL", func(c *Connection) { c.Region = "na1" }, ErrBaseURLNotAllowed},
		{"unknown region", func(c *Connection) { c.BaseURL, c.Region = "", "mars" }, ErrUnknownRegion},
		{"no client id", func(c *Connection) { c.ClientID = " " }, ErrInvalidConnection},
		{"no secret", func(c *Connection) { c.ClientSecret = secret.Secret{} }, ErrInvalidConnection},
		{"no acting user", func(c *Connection) { c.ActingUserEmail = "" }, ErrInvalidConnection},
		{"header injection", func(c *Connection) { c.ActingUserEmail = "a@b.c\r\nX-Evil: 1" }, ErrInvalidConnection},
	}
	c := e.client(t, Config{})
	for _, tt := range tests {
		conn := e.conn(tn)
		tt.change(&conn)
		_, err := c.Check(t.Context(), conn)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Check error = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if n, m := e.sim.Calls(tn.companyID), e.sim.Calls(""); n+m != 0 {
		t.Errorf("the simulator saw %d requests for the tenant and %d others; want none", n, m)
	}
}

// TestCheckContextEnds: when the caller's context ends, Check returns its
// error rather than an observation made of timeouts.
func TestCheckContextEnds(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"/oauth/token", "/public/"} {
		t.Run(where, func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, ironcladsim.DialectIronclad)
			tn := e.addTenant(t, health.Scopes, true, 0)
			e.sim.SetFault(tn.companyID, ironcladsim.Fault{Kind: ironcladsim.FaultHang, PathPrefix: where})
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			obs, err := e.client(t, Config{}).Check(ctx, e.conn(tn))
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Check error = %v, want the context's deadline", err)
			}
			if len(obs.Evidence) != 0 || obs.Credentials != health.OutcomeUnobserved {
				t.Errorf("observation %+v: want none", obs)
			}
		})
	}
	t.Run("canceled before the start", func(t *testing.T) {
		t.Parallel()
		e := newSimEnv(t, ironcladsim.DialectIronclad)
		tn := e.addTenant(t, health.Scopes, true, 0)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := e.client(t, Config{}).Check(ctx, e.conn(tn)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Check error = %v, want context.Canceled", err)
		}
	})
}

// TestCheckConcurrent runs checks of several tenants at once through one
// client, as the worker does.
func TestCheckConcurrent(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, ironcladsim.DialectIronclad)
	c := e.client(t, Config{})
	tenants := []tenant{
		e.addTenant(t, health.Scopes, true, 0),
		e.addTenant(t, []health.Scope{health.ScopeReadUsers}, true, 0),
		e.addTenant(t, health.Scopes, false, 0),
	}
	want := []health.Outcome{health.OutcomeOK, health.OutcomeOK, health.OutcomeDenied}
	results := make([]health.Observation, len(tenants))
	errs := make([]error, len(tenants))
	var wg sync.WaitGroup
	for i, tn := range tenants {
		wg.Go(func() { results[i], errs[i] = c.Check(t.Context(), e.conn(tn)) })
	}
	wg.Wait()
	for i := range tenants {
		if errs[i] != nil || results[i].ClientID != tenants[i].clientID || results[i].Grant != want[i] {
			t.Errorf("tenant %d: %v, client %q grant %q; want %q", i, errs[i], results[i].ClientID, results[i].Grant, want[i])
		}
	}
}
