package cli

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironclad"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// deps are the adapters most commands need, built from configuration.
type deps struct {
	cfg     config
	log     zerolog.Logger
	pool    *pgxpool.Pool
	store   *postgres.Store
	keyring *secret.Keyring // nil unless asked for
	allow   []string        // GRANTWATCH_ALLOW_BASE_URLS
}

func (d *deps) Close() {
	if d.pool != nil {
		d.pool.Close()
	}
}

type depsOptions struct {
	keyring bool // the command seals or unseals client secrets
}

// openDeps reads the configuration, opens the database pool and builds the
// store. Configuration mistakes are usage errors (exit status 2).
func openDeps(ctx context.Context, e *env, opts depsOptions) (*deps, error) {
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		return nil, err
	}
	log, err := newLogger(e.io.Stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	d := &deps{cfg: cfg, log: log}
	if d.allow, err = ironclad.ParseAllowList(cfg.AllowBaseURLs); err != nil {
		return nil, usagef("GRANTWATCH_ALLOW_BASE_URLS: %v", err)
	}
	if opts.keyring {
		if cfg.SecretKeys == "" {
			return nil, usagef("GRANTWATCH_SECRET_KEYS is not set: it holds the keys that seal client secrets (id:base64key,…: a key id, a colon and 32 random bytes in base64, e.g. from openssl rand -base64 32)")
		}
		if d.keyring, err = secret.ParseKeyring(cfg.SecretKeys); err != nil {
			return nil, usagef("GRANTWATCH_SECRET_KEYS: %v", err)
		}
	}
	if cfg.DatabaseURL == "" {
		return nil, usagef("DATABASE_URL is not set (e.g. postgres://user@host:5432/grantwatch)")
	}
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		// pgx's message can quote the URL, password included: say less.
		return nil, usagef("DATABASE_URL is not a valid PostgreSQL connection string")
	}
	pcfg.MaxConns = int32(cfg.MaxConns)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("opening the database pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to the database (%s@%s:%d/%s): %w", pcfg.ConnConfig.User, pcfg.ConnConfig.Host, pcfg.ConnConfig.Port, pcfg.ConnConfig.Database, err)
	}
	d.pool = pool
	d.store = postgres.New(pool, postgres.Options{
		Policy:       health.Policy{ConfirmAfter: cfg.ConfirmAfter},
		ConfirmDelay: cfg.ConfirmDelay,
	})
	return d, nil
}

// ironcladClient builds the Ironclad client with this configuration.
func (d *deps) ironcladClient() *ironclad.Client {
	return ironclad.New(ironclad.Config{
		HTTPClient:    &http.Client{Timeout: d.cfg.CallTimeout + 5*time.Second},
		AllowBaseURLs: d.allow,
		CallTimeout:   d.cfg.CallTimeout,
	})
}
