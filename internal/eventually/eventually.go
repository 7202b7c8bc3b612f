// Package eventually lets tests wait for a condition instead of sleeping:
// it polls until the condition holds or a deadline passes, and then fails
// the test with the condition's own description of what it last saw.
package eventually

import (
	"testing"
	"time"
)

// Poll is how often the condition is asked.
const Poll = 50 * time.Millisecond

// True polls cond until it reports true, failing t when timeout passes
// first (or the test's context ends) with cond's last description of the
// state, so a failure says what was wrong rather than only that time ran out.
func True(t testing.TB, timeout time.Duration, what string, cond func() (ok bool, state string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(Poll)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s; last state: %s", timeout, what, state)
		}
		select {
		case <-tick.C:
		case <-t.Context().Done():
			t.Fatalf("test ended while waiting for %s", what)
		}
	}
}
