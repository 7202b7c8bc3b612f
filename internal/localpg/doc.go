// Package localpg finds or starts a PostgreSQL server for tests and the demo.
//
// Discover looks for a server that is already running (TEST_DATABASE_URL, then
// the conventional localhost:5432). Start runs a throwaway cluster from the
// local PostgreSQL binaries in a temporary directory, tuned for speed rather
// than durability, and Stop removes every trace of it. AdminURL combines the
// two so a test suite or the demo works on any machine that has either a
// server or the server binaries.
//
// The URLs returned are superuser ("admin") URLs: callers are expected to
// create their own databases from them (for example through pgtestdb) rather
// than to store data in the postgres database itself.
package localpg
