package pgtest_test

import (
	"os"
	"testing"

	"github.com/grantwatch/grantwatch/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestPoolIsMigratedAndPrivate(t *testing.T) {
	t.Parallel()
	a, b := pgtest.Pool(t), pgtest.Pool(t)

	for _, table := range []string{"tenants", "ledgers", "checks", "incidents", "events", "river_job"} {
		var exists bool
		if err := a.QueryRow(t.Context(), "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if !exists {
			t.Errorf("table %s missing from the test database", table)
		}
	}

	var nameA, nameB string
	if err := a.QueryRow(t.Context(), "SELECT current_database()").Scan(&nameA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(t.Context(), "SELECT current_database()").Scan(&nameB); err != nil {
		t.Fatal(err)
	}
	if nameA == nameB {
		t.Fatalf("two calls shared database %s", nameA)
	}

	// A row written in one database is invisible in the other.
	if _, err := a.Exec(t.Context(), "CREATE TABLE scratch (v int)"); err != nil {
		t.Fatal(err)
	}
	var n int
	err := b.QueryRow(t.Context(), "SELECT count(*) FROM scratch").Scan(&n)
	if err == nil {
		t.Fatalf("scratch table leaked into the second database (err %v)", err)
	}
}
