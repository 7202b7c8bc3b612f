package ironcladsim

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestSlowFaultDoesNotHoldUpOthers hangs one company's requests and checks
// that another company is still answered at once: no lock is held while a
// fault waits.
func TestSlowFaultDoesNotHoldUpOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	slow := e.token(t)
	otherID, otherSecret := addCompanyWithApp(t, e, "other", 0)
	fast := tokenFor(t, e, otherID, otherSecret)

	e.sim.SetFault(e.demo.CompanyID, Fault{Kind: FaultHang})
	e.sim.ResetCalls(e.demo.CompanyID)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+recordsPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+slow)
	hung := make(chan error, 1)
	go func() {
		resp, err := newClient(t).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		hung <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for e.sim.Calls(e.demo.CompanyID) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the hanging request never arrived")
		}
		time.Sleep(time.Millisecond)
	}

	start := time.Now()
	if got := e.get(t, recordsPath, fast, "ops@other.example.com").status; got != http.StatusOK {
		t.Errorf("other company during the hang: status %d", got)
	}
	if _, err := e.sim.RotateSecret(otherID); err != nil {
		t.Errorf("a control operation during the hang: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("the other company waited %v", elapsed)
	}
	cancel() // the hang ends when its client gives up
	if err := <-hung; err == nil {
		t.Error("the hanging request got an answer")
	}
}

// TestConcurrentUse mixes token requests, probes and control operations from
// several goroutines; -race checks the locking.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			tok := e.token(t)
			for _, p := range probes {
				e.get(t, p.path, tok, e.demo.ActingUserEmail)
			}
			if i%2 == 0 {
				_ = e.sim.RevokeScope(e.demo.ClientID, "scim.users.readUsers")
			} else {
				_ = e.sim.GrantScope(e.demo.ClientID, "scim.users.readUsers")
			}
			e.sim.SetFault("", Fault{Kind: FaultLatency, PathPrefix: "/none"})
			_ = e.sim.Calls(e.demo.CompanyID)
		})
	}
	wg.Wait()
	if got, want := e.sim.Calls(e.demo.CompanyID), 4*(1+len(probes)); got != want {
		t.Errorf("Calls = %d, want %d", got, want)
	}
}
