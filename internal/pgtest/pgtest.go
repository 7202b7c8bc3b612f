package pgtest

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	// pgtestdb talks to the server through database/sql under the driver
	// name "pgx", which this import registers.
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/peterldowns/pgtestdb"

	"github.com/grantwatch/grantwatch/internal/localpg"
)

// server is the one piece of package state: Main finds the server once per
// test binary and URL, called from many tests, reads it. A test harness
// cannot avoid this, because testing.M gives TestMain no way to hand values
// to tests; it is written before m.Run and only read afterwards.
var server atomic.Pointer[serverState]

type serverState struct {
	conf pgtestdb.Config
	err  error // why no server is available; tests that need one fail with it
}

// Main finds or starts a PostgreSQL server, runs the tests and stops any
// server it started. Call it from TestMain: os.Exit(pgtest.Main(m)).
//
// When no server can be had, Main still runs the tests: those that ask for a
// database fail with localpg's explanation, the others are unaffected.
func Main(m *testing.M) int {
	adminURL, cleanup, err := localpg.AdminURL(context.Background(), localpg.Options{Log: os.Stderr})
	if err != nil {
		server.Store(&serverState{err: err})
		return m.Run()
	}
	defer cleanup()

	conf, err := adminConfig(adminURL)
	server.Store(&serverState{conf: conf, err: err})
	return m.Run()
}

// URL returns the connection URL of a new database for this test, cloned
// from a template migrated with postgres.Migrate. The database is dropped
// when the test ends (kept when it fails, for a post-mortem; its URL is in
// the test log).
func URL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, serverConfig(t), migrator{}).URL()
}

// EmptyURL returns the connection URL of a new, empty database for this test:
// no schema at all, for tests of the migrations themselves.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, serverConfig(t), pgtestdb.NoopMigrator{}).URL()
}

// serverConfig returns the server Main found, failing the test with the
// reason when there is none.
func serverConfig(t testing.TB) pgtestdb.Config {
	t.Helper()
	s := server.Load()
	if s == nil {
		t.Fatal("pgtest: no server: call os.Exit(pgtest.Main(m)) from this package's TestMain")
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.conf
}

// Pool returns a pgx pool on a new database for this test (see URL), closed
// when the test ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("pgtest: connecting to the test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// adminConfig turns localpg's admin URL into pgtestdb's connection settings.
// Query parameters (sslmode, connect_timeout, host= for a socket directory)
// pass through as options.
func adminConfig(adminURL string) (pgtestdb.Config, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// The URL may hold a password, so it stays out of the message.
		return pgtestdb.Config{}, errors.New("pgtest: the admin database address is not a postgres:// URL")
	}
	password, _ := u.User.Password()
	conf := pgtestdb.Config{
		DriverName: "pgx",
		Host:       u.Hostname(),
		Port:       cmp.Or(u.Port(), "5432"),
		User:       cmp.Or(u.User.Username(), "postgres"),
		Password:   password,
		Database:   cmp.Or(strings.TrimPrefix(u.Path, "/"), "postgres"),
		Options:    u.RawQuery,
		// Tests that leak a connection (a River listener not stopped, say)
		// must not leave databases behind or fail someone else's cleanup.
		ForceTerminateConnections: true,
	}
	if conf.Host == "" && !u.Query().Has("host") {
		return pgtestdb.Config{}, errors.New("pgtest: the admin database URL names no host")
	}
	return conf, nil
}
