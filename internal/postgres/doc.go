// Package postgres is grantwatch's store: tenants and their sealed
// credentials, the per-tenant ledger, the check history, incidents and
// events, all in PostgreSQL through pgx.
//
// The store is an adapter around the pure domain in internal/health. It owns
// the transactions: ApplyObservation locks a tenant's ledger row, runs
// health.Policy.Evaluate and writes everything the evaluation produced in one
// transaction, together with whatever the caller's hook adds (River enqueues
// alert jobs and completes its job there). Errors are translated here into
// ErrNotFound, ErrConflict, ErrTenantGone and ErrInvalid; pgx errors are
// wrapped with context and never carry a secret.
//
// Migrate brings a database up to date: grantwatch's own schema (the goose
// migrations embedded in the migrations package) and then River's.
package postgres
