// Package pgtest gives every test its own PostgreSQL database, migrated to
// grantwatch's current schema (ours and River's).
//
// A package's TestMain calls Main, which finds a server (TEST_DATABASE_URL,
// else localhost:5432, else a throwaway cluster from the machine's binaries;
// see internal/localpg). URL and Pool then clone a fresh database from a
// template that is migrated once per schema version, which takes a few
// milliseconds per test, so tests can run in parallel without sharing rows.
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		pool := pgtest.Pool(t)
//		…
//	}
package pgtest
