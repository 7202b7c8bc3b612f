package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grantwatch/grantwatch/internal/health"
)

// defaultConfirmDelay is how soon a suspected loss is checked again.
const defaultConfirmDelay = 2 * time.Minute

// Options configures a Store. The zero value is usable.
type Options struct {
	// Now is the clock; time.Now when nil. Its readings are truncated to
	// microseconds, PostgreSQL's resolution, so that a time read back from a
	// column equals the one written into the ledger's JSON.
	Now func() time.Time
	// Policy is handed to health's Evaluate. The zero value means
	// health.DefaultPolicy(); to confirm losses at once, set ConfirmAfter: 1.
	Policy health.Policy
	// ConfirmDelay is how soon a tenant whose ledger awaits confirmation of
	// a loss is checked again, instead of a full interval later. Two
	// minutes when zero.
	ConfirmDelay time.Duration
}

// Store is grantwatch's PostgreSQL store. It is safe for concurrent use.
type Store struct {
	pool         *pgxpool.Pool
	now          func() time.Time
	policy       health.Policy
	confirmDelay time.Duration
}

// New returns a store on pool, which must be migrated (see Migrate).
func New(pool *pgxpool.Pool, opts Options) *Store {
	s := &Store{
		pool:         pool,
		now:          opts.Now,
		policy:       opts.Policy,
		confirmDelay: opts.ConfirmDelay,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.policy == (health.Policy{}) {
		s.policy = health.DefaultPolicy()
	}
	if s.confirmDelay <= 0 {
		s.confirmDelay = defaultConfirmDelay
	}
	return s
}

// Ping reports whether the database answers, for readiness probes.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("pinging the database: %w", err)
	}
	return nil
}

// clock reads the store's clock at the database's resolution.
func (s *Store) clock() time.Time { return s.now().Truncate(time.Microsecond) }
