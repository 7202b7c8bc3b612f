package postgres_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// TestApplyObservationConcurrentChecksOfOneTenant is the acceptance test of
// the ledger lock: many checks of one tenant applied at once must leave the
// same state as applying them one by one in check id order, with one open
// incident per open code and occurrences that count the checks showing it.
func TestApplyObservationConcurrentChecksOfOneTenant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tenant := e.create(t, "acme")

	const goroutines, perGoroutine = 20, 3
	mix := []func(postgres.Tenant, time.Time) health.Observation{credentialsDenied, allOK, credentialsDenied, inconclusive}
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				obs := mix[(g*perGoroutine+i)%len(mix)](tenant, epoch.Add(time.Duration(g)*time.Second))
				if _, err := e.store.ApplyObservation(t.Context(), tenant.ID, obs, nil); err != nil {
					errs[g] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}

	checks := storedChecks(t, e, tenant.ID)
	if len(checks) != goroutines*perGoroutine {
		t.Fatalf("%d checks stored, want %d", len(checks), goroutines*perGoroutine)
	}

	// Replaying the stored checks in id order (the order the lock let them
	// through) must give the stored ledger.
	policy := health.Policy{ConfirmAfter: 2}
	var replayed health.Ledger
	for _, c := range checks {
		replayed, _ = policy.Evaluate(replayed, c, epoch)
	}
	var stored health.Ledger
	if err := e.pool.QueryRow(t.Context(), "SELECT ledger FROM ledgers WHERE tenant_id = $1", tenant.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if got, want := mustJSON(t, stored), mustJSON(t, replayed); got != want {
		t.Errorf("stored ledger %s\nsequential replay gives %s", got, want)
	}

	incidents, err := e.store.History(t.Context(), postgres.HistoryFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(incidents) == 0 {
		t.Fatal("the mix opened no incident; the test would prove nothing")
	}
	var openCodes []health.Code
	for _, r := range incidents {
		if r.State == postgres.StateOpen {
			openCodes = append(openCodes, r.Code)
		}
		requireOccurrencesMatch(t, r, checks)
	}
	slices.Sort(openCodes)
	if !slices.Equal(openCodes, stored.OpenCodes()) {
		t.Errorf("open incident rows %v, ledger's open codes %v (one row per code expected)", openCodes, stored.OpenCodes())
	}

	var opened, resolved int
	err = e.pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE kind = 'incident_opened'),
		count(*) FILTER (WHERE kind = 'incident_resolved') FROM events`).Scan(&opened, &resolved)
	if err != nil {
		t.Fatal(err)
	}
	if opened != len(incidents) || resolved != len(incidents)-len(openCodes) {
		t.Errorf("%d opened and %d resolved events for %d incidents, %d open", opened, resolved, len(incidents), len(openCodes))
	}
}

// storedChecks reads a tenant's checks in id order as observations.
func storedChecks(t *testing.T, e *env, tenantID int64) []health.Observation {
	t.Helper()
	rows, err := e.pool.Query(t.Context(), "SELECT id, observation FROM checks WHERE tenant_id = $1 ORDER BY id", tenantID)
	if err != nil {
		t.Fatal(err)
	}
	checks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (health.Observation, error) {
		var o health.Observation
		var id int64
		err := row.Scan(&id, &o)
		o.CheckID = id
		return o, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

// requireOccurrencesMatch checks an ICD-100 incident against the checks
// themselves: every denial from its first to its last check counts once, no
// check in between worked, and a resolved incident was resolved by the first
// working check after its last denial (an open one has none).
func requireOccurrencesMatch(t *testing.T, r postgres.IncidentRecord, checks []health.Observation) {
	t.Helper()
	if r.Code.Capability() != health.CapabilityCredentials {
		t.Fatalf("unexpected incident %s: the mix only fails credentials", r.Code)
	}
	denials := 0
	var firstOKAfter int64
	for _, c := range checks {
		switch {
		case c.CheckID >= r.FirstCheckID && c.CheckID <= r.LastCheckID:
			if c.Credentials == health.OutcomeDenied {
				denials++
			}
			if c.Credentials == health.OutcomeOK {
				t.Errorf("%s incident %d spans check %d, which worked", r.Code, r.ID, c.CheckID)
			}
		case c.CheckID > r.LastCheckID && firstOKAfter == 0:
			if c.Credentials == health.OutcomeOK {
				firstOKAfter = c.CheckID
			}
			if c.Credentials == health.OutcomeDenied {
				t.Errorf("%s incident %d: denial in check %d after its last check %d", r.Code, r.ID, c.CheckID, r.LastCheckID)
			}
		}
	}
	if r.Occurrences != denials {
		t.Errorf("%s incident %d has %d occurrences; checks %d..%d hold %d denials",
			r.Code, r.ID, r.Occurrences, r.FirstCheckID, r.LastCheckID, denials)
	}
	if r.ResolvedCheckID != firstOKAfter {
		t.Errorf("%s incident %d resolved by check %d, want %d", r.Code, r.ID, r.ResolvedCheckID, firstOKAfter)
	}
}
