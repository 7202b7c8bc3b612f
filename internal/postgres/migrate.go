package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/migrations"
)

// migrateLockKey is the pg_advisory_lock key that serialises Migrate across
// replicas starting at once. It is an arbitrary constant ("grantwatch" in
// ASCII, truncated) that no other code of ours uses.
const migrateLockKey int64 = 0x6772616e74776174

// Migrate brings the database up to date: grantwatch's schema first (goose,
// from the embedded migrations), then River's tables. It is idempotent, and
// safe to call from several processes at once: a session advisory lock, held
// on a connection of its own for the whole run, lets one caller migrate while
// the others wait and then find nothing to do.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log zerolog.Logger) error {
	unlock, err := lockMigrations(ctx, pool)
	if err != nil {
		return err
	}
	defer unlock()

	if err := migrateSchema(ctx, pool, log); err != nil {
		return err
	}
	return migrateRiver(ctx, pool, log)
}

// lockMigrations takes the migration lock on a connection opened outside the
// pool. Taking it from the pool could starve the migrations themselves: with
// a small pool and several concurrent callers, every pooled connection could
// be a waiter. Cancelling ctx aborts the wait (pgx cancels the query).
func lockMigrations(ctx context.Context, pool *pgxpool.Pool) (unlock func(), err error) {
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("connecting for the migration lock: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		closeErr := conn.Close(context.WithoutCancel(ctx))
		return nil, errors.Join(fmt.Errorf("taking the migration lock: %w", err), closeErr)
	}
	return func() {
		// Closing the session releases the lock even if the explicit unlock
		// fails, so its error is not worth reporting; the unlock merely lets
		// a pooled-connection setup (PgBouncer in session mode) reuse it.
		bg := context.WithoutCancel(ctx)
		_, _ = conn.Exec(bg, "SELECT pg_advisory_unlock($1)", migrateLockKey)
		_ = conn.Close(bg)
	}, nil
}

func migrateSchema(ctx context.Context, pool *pgxpool.Pool, log zerolog.Logger) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()

	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("loading grantwatch migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("applying grantwatch migrations: %w", err)
	}
	for _, r := range results {
		log.Info().
			Int64("version", r.Source.Version).
			Str("migration", r.Source.Path).
			Dur("duration", r.Duration).
			Msg("applied schema migration")
	}
	return nil
}

func migrateRiver(ctx context.Context, pool *pgxpool.Pool, log zerolog.Logger) error {
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{
		Logger: slog.New(zerolog.NewSlogHandler(log)),
	})
	if err != nil {
		return fmt.Errorf("creating the River migrator: %w", err)
	}
	// Migrate (not MigrateTx) applies each River version in its own
	// transaction; batching them fails on enum changes (SQLSTATE 55P04).
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("applying River migrations: %w", err)
	}
	for _, v := range res.Versions {
		log.Info().
			Int("version", v.Version).
			Str("name", v.Name).
			Dur("duration", v.Duration).
			Msg("applied River migration")
	}
	return nil
}
