package postgres

import (
	"context"
	"fmt"
	"time"
)

// PruneChecks deletes checks recorded before cutoff, at most batch rows per
// statement so that no single transaction holds many locks or much WAL, and
// returns how many it deleted. Incidents and events keep their check ids
// (there is no foreign key to checks), so the history of what happened
// outlives the raw evidence.
func (s *Store) PruneChecks(ctx context.Context, cutoff time.Time, batch int) (int64, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("pruning checks: batch size %d: %w", batch, ErrInvalid)
	}
	var total int64
	for {
		tag, err := s.pool.Exec(ctx, `
			DELETE FROM checks WHERE ctid IN (
				SELECT ctid FROM checks WHERE recorded_at < $1 LIMIT $2)`, cutoff, batch)
		if err != nil {
			return total, translate(err, "pruning checks")
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < int64(batch) {
			return total, nil
		}
	}
}
