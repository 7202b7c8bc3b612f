package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/peterldowns/pgtestdb"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/migrations"
)

// migrator builds pgtestdb's template database with postgres.Migrate, the
// same code production runs, so tests see exactly the deployed schema.
type migrator struct{}

var _ pgtestdb.Migrator = migrator{}

// Hash names the template: it changes whenever one of our migration files or
// River's migrations change, so an edited schema gets a new template instead
// of a stale one left by an earlier run.
func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "grantwatch %s %d\n", path, len(body))
		h.Write(body)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing grantwatch migrations: %w", err)
	}

	river, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return "", fmt.Errorf("listing River migrations: %w", err)
	}
	for _, v := range river.AllVersions() {
		fmt.Fprintf(h, "river %d %d\n", v.Version, len(v.SQLUp))
		h.Write([]byte(v.SQLUp))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Migrate runs postgres.Migrate on the empty template database. pgtestdb
// hands over a database/sql handle; Migrate wants a pgx pool, so it opens one
// on the same database for the duration.
func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	pool, err := pgxpool.New(ctx, conf.URL())
	if err != nil {
		return fmt.Errorf("connecting to the template database: %w", err)
	}
	defer pool.Close()
	return postgres.Migrate(ctx, pool, zerolog.Nop())
}
