package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ClaimDue claims up to limit tenants whose next check has come (due at or
// before now, not paused, not removed), earliest first, and moves each one's
// next check to now + its interval + jitter(interval). It works in the
// caller's transaction so that enqueuing the checks commits with the claim;
// rows other schedulers hold are skipped, so concurrent claims get disjoint
// tenants. Its cost grows with the number claimed, not with the number of
// tenants (a partial index holds only schedulable tenants).
//
// jitter spreads checks that fell due together; nil means none. Its result
// is clamped to half the interval either way, so that a tenant is never
// due again at once.
func (s *Store) ClaimDue(ctx context.Context, tx pgx.Tx, now time.Time, limit int,
	jitter func(time.Duration) time.Duration,
) ([]int64, error) {
	if limit <= 0 {
		return nil, invalid("limit", "must be positive")
	}
	rows, err := tx.Query(ctx, `
		SELECT id, check_interval FROM tenants
		WHERE next_check_at <= $1 AND NOT paused AND removed_at IS NULL
		ORDER BY next_check_at
		LIMIT $2
		FOR NO KEY UPDATE SKIP LOCKED`, now, limit)
	if err != nil {
		return nil, translate(err, "claiming due tenants")
	}
	var (
		ids      []int64
		nexts    []time.Time
		id       int64 // the row being scanned
		interval time.Duration
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &interval}, func() error {
		var j time.Duration
		if jitter != nil {
			j = min(max(jitter(interval), -interval/2), interval/2)
		}
		ids = append(ids, id)
		nexts = append(nexts, now.Add(interval+j))
		return nil
	})
	if err != nil {
		return nil, translate(err, "claiming due tenants")
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if _, err := tx.Exec(ctx, `
		UPDATE tenants AS t SET next_check_at = u.next_check_at
		FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, next_check_at)
		WHERE t.id = u.id`, ids, nexts); err != nil {
		return nil, translate(err, fmt.Sprintf("rescheduling %d claimed tenants", len(ids)))
	}
	return ids, nil
}
