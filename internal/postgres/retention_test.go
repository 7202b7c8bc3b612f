package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

func TestPruneChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tenant := e.create(t, "acme")
	// Seven checks a day apart; the first opens an A incident that must
	// outlive the pruning of its check.
	for i := range 7 {
		obs := allOK(tenant, e.clock.Now())
		if i == 0 {
			obs = usersMissing(tenant, e.clock.Now())
		}
		e.apply(t, tenant, obs)
		e.clock.Advance(24 * time.Hour)
	}
	if got := e.count(t, `SELECT count(*) FROM checks`); got != 7 {
		t.Fatalf("checks before pruning = %d, want 7", got)
	}
	cutoff := e.clock.Now().Add(-3*24*time.Hour - time.Hour) // keeps the last three
	n, err := e.store.PruneChecks(t.Context(), cutoff, 2)    // a batch smaller than the work
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("pruned %d checks, want 4", n)
	}
	if got := e.count(t, `SELECT count(*) FROM checks`); got != 3 {
		t.Errorf("checks after pruning = %d, want 3", got)
	}
	if got := e.count(t, `SELECT count(*) FROM checks WHERE recorded_at < $1`, cutoff); got != 0 {
		t.Errorf("%d checks older than the cutoff remain", got)
	}
	hist, err := e.store.History(t.Context(), postgres.HistoryFilter{TenantExternalID: "acme", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].Code != health.CodeFor(health.CapabilityUsers, health.KindA) {
		t.Errorf("the incident history must survive pruning; got %+v", hist)
	}
	if n, err := e.store.PruneChecks(t.Context(), cutoff, 2); err != nil || n != 0 {
		t.Errorf("a second prune = %d, %v; want 0, nil", n, err)
	}
	if _, err := e.store.PruneChecks(t.Context(), cutoff, 0); !errors.Is(err, postgres.ErrInvalid) {
		t.Errorf("batch 0: err = %v, want ErrInvalid", err)
	}
}
