package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/eventually"
	"github.com/grantwatch/grantwatch/internal/pgtest"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/migrations"
)

// newPool opens a pool on url that the test closes at cleanup.
func newPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := newPool(t, pgtest.EmptyURL(t))

	var first, second bytes.Buffer
	if err := postgres.Migrate(t.Context(), pool, zerolog.New(&first)); err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	if !strings.Contains(first.String(), "applied schema migration") ||
		!strings.Contains(first.String(), "applied River migration") {
		t.Fatalf("first Migrate logged no applied migrations:\n%s", first.String())
	}
	if err := postgres.Migrate(t.Context(), pool, zerolog.New(&second)); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if strings.Contains(second.String(), "applied") {
		t.Fatalf("second Migrate applied something:\n%s", second.String())
	}
	requireMigrated(t, pool)
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url := pgtest.EmptyURL(t)

	// Each goroutine has its own pool, like replicas starting together; one
	// of them also shares a pool with a second caller, which must not starve
	// the pool (the lock is held outside it).
	const callers = 4
	shared := newPool(t, url)
	pools := []*pgxpool.Pool{shared, shared}
	for range callers - 2 {
		pools = append(pools, newPool(t, url))
	}

	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i, pool := range pools {
		wg.Go(func() { errs[i] = postgres.Migrate(t.Context(), pool, zerolog.Nop()) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent Migrate: %v", err)
	}
	requireMigrated(t, shared)
}

func TestMigrateWaitIsCancellable(t *testing.T) {
	t.Parallel()
	url := pgtest.EmptyURL(t)
	holder, waiter := newPool(t, url), newPool(t, url)

	// Hold the migration lock from another session, as a replica midway
	// through migrating would.
	conn, err := holder.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(t.Context(), "SELECT pg_advisory_lock(x'6772616e74776174'::bigint)"); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- postgres.Migrate(ctx, waiter, zerolog.Nop()) }()

	// Cancel only once the second caller is really waiting on the lock.
	eventually.True(t, 10*time.Second, "the second Migrate to wait on the advisory lock", func() (bool, string) {
		var waiting bool
		err := holder.QueryRow(t.Context(),
			"SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND NOT granted)").Scan(&waiting)
		return err == nil && waiting, fmt.Sprintf("waiting %v, err %v", waiting, err)
	})
	cancel()

	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "migration lock") {
			t.Fatalf("Migrate after cancel = %v, want a migration lock error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Migrate kept waiting for the lock after its context was cancelled")
	}
	var tables int
	if err := holder.QueryRow(t.Context(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatalf("a cancelled Migrate created %d tables", tables)
	}
}

// requireMigrated checks that every migration of ours and of River's was
// recorded exactly once and that the tables exist.
func requireMigrated(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := t.Context()

	var gooseRows, gooseVersions int
	err := pool.QueryRow(ctx,
		"SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").
		Scan(&gooseRows, &gooseVersions)
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if gooseRows != gooseVersions || gooseVersions != len(files) {
		t.Errorf("goose recorded %d rows for %d versions, want one for each of %d files", gooseRows, gooseVersions, len(files))
	}

	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	existing, err := migrator.ExistingVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(existing), len(migrator.AllVersions()); got != want {
		t.Errorf("River has %d versions applied, want %d", got, want)
	}

	for _, table := range []string{"tenants", "ledgers", "checks", "incidents", "events", "river_job", "river_leader"} {
		var exists bool
		if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if !exists {
			t.Errorf("table %s missing after Migrate", table)
		}
	}
}
