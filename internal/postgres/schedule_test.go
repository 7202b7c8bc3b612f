package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/postgres"
)

// setNextCheck moves a tenant's next check, as past scheduling would have.
func (e *env) setNextCheck(t testing.TB, id int64, at time.Time) {
	t.Helper()
	if _, err := e.pool.Exec(context.Background(), "UPDATE tenants SET next_check_at = $2 WHERE id = $1", id, at); err != nil {
		t.Fatal(err)
	}
}

func (e *env) claim(t testing.TB, tx pgx.Tx, now time.Time, limit int, jitter func(time.Duration) time.Duration) []int64 {
	t.Helper()
	ids, err := e.store.ClaimDue(context.Background(), tx, now, limit, jitter)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	return ids
}

func TestClaimDue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := epoch.Add(time.Hour)
	ids := map[string]int64{}
	for ext, due := range map[string]time.Duration{
		"late": -30 * time.Minute, "later": -45 * time.Minute, "just": 0, "future": time.Minute,
		"paused": -time.Hour, "removed": -time.Hour,
	} {
		ids[ext] = e.create(t, ext).ID
		e.setNextCheck(t, ids[ext], now.Add(due))
	}
	if _, err := e.store.SetPaused(t.Context(), "paused", true); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RemoveTenant(t.Context(), "removed"); err != nil {
		t.Fatal(err)
	}

	jitter := func(interval time.Duration) time.Duration { return interval / 10 }
	tx, err := e.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Earliest first, limited.
	if got, want := e.claim(t, tx, now, 2, jitter), []int64{ids["later"], ids["late"]}; !slices.Equal(got, want) {
		t.Errorf("first claim %v, want %v", got, want)
	}
	if got, want := e.claim(t, tx, now, 10, jitter), []int64{ids["just"]}; !slices.Equal(got, want) {
		t.Errorf("second claim %v, want %v", got, want)
	}
	if got := e.claim(t, tx, now, 10, jitter); len(got) != 0 {
		t.Errorf("third claim %v, want nothing left", got)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}

	for _, ext := range []string{"late", "later", "just"} {
		tenant, err := e.store.Tenant(t.Context(), ids[ext])
		if err != nil {
			t.Fatal(err)
		}
		if want := now.Add(15*time.Minute + 90*time.Second); !tenant.NextCheckAt.Equal(want) {
			t.Errorf("%s: next check %v, want now + interval + jitter = %v", ext, tenant.NextCheckAt, want)
		}
	}
	future, err := e.store.Tenant(t.Context(), ids["future"])
	if err != nil || !future.NextCheckAt.Equal(now.Add(time.Minute)) {
		t.Errorf("an unclaimed tenant's next check moved: %v (%v)", future.NextCheckAt, err)
	}
}

func TestClaimDueClampsJitter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.create(t, "a"), e.create(t, "b")
	e.inTx(t, func(tx pgx.Tx) {
		got := e.claim(t, tx, epoch, 1, func(d time.Duration) time.Duration { return -d })
		got = append(got, e.claim(t, tx, epoch, 1, func(d time.Duration) time.Duration { return 10 * d })...)
		if !slices.Equal(got, []int64{a.ID, b.ID}) {
			t.Fatalf("claimed %v", got)
		}
		var nextA, nextB time.Time
		if err := tx.QueryRow(t.Context(), `SELECT (SELECT next_check_at FROM tenants WHERE id = $1),
			(SELECT next_check_at FROM tenants WHERE id = $2)`, a.ID, b.ID).Scan(&nextA, &nextB); err != nil {
			t.Fatal(err)
		}
		if want := epoch.Add(15 * time.Minute / 2); !nextA.Equal(want) {
			t.Errorf("jitter of -interval gave %v, want it clamped to %v", nextA, want)
		}
		if want := epoch.Add(15 * time.Minute * 3 / 2); !nextB.Equal(want) {
			t.Errorf("jitter of 10×interval gave %v, want it clamped to %v", nextB, want)
		}
	})
}

func TestClaimDueSkipsLockedRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	all := e.createAll(t, "a", "b", "c", "d", "e")

	// Two schedulers claim at once: the first holds its rows uncommitted.
	first, err := e.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Rollback(context.Background()) }()
	got1 := e.claim(t, first, epoch, 3, nil)

	second, err := e.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = second.Rollback(context.Background()) }()
	got2 := e.claim(t, second, epoch, 10, nil)

	if len(got1) != 3 || len(got2) != 2 {
		t.Fatalf("claims of %v and %v, want 3 and the remaining 2", got1, got2)
	}
	union := slices.Sorted(slices.Values(slices.Concat(got1, got2)))
	if !slices.Equal(union, all) {
		t.Errorf("claims %v and %v are not a partition of %v", got1, got2, all)
	}
	if err := errors.Join(first.Commit(t.Context()), second.Commit(t.Context())); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT count(*) FROM tenants WHERE next_check_at <= $1", epoch); n != 0 {
		t.Errorf("%d tenants still due after both claims committed", n)
	}
}

func TestClaimDueRejectsBadLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.inTx(t, func(tx pgx.Tx) {
		if _, err := e.store.ClaimDue(t.Context(), tx, epoch, 0, nil); !errors.Is(err, postgres.ErrInvalid) {
			t.Errorf("limit 0: %v, want ErrInvalid", err)
		}
	})
}
