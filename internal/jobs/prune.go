package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/postgres"
)

// PruneChecksArgs is the leader's periodic clean-up of old checks.
type PruneChecksArgs struct{}

// Kind implements river.JobArgs.
func (PruneChecksArgs) Kind() string { return "prune_checks" }

// pruneEvery is how often old checks are pruned. Hourly keeps each run
// small (about an hour's worth of checks) whatever the retention.
const pruneEvery = time.Hour

// pruneBatch is how many checks one DELETE removes: few enough that no
// statement holds many row locks or writes much WAL at once.
const pruneBatch = 5000

// PruneWorker deletes checks older than the retention. Incidents and events
// are kept: they are small, and they are the history operators query.
type PruneWorker struct {
	river.WorkerDefaults[PruneChecksArgs]
	Store     *postgres.Store
	Retention time.Duration // zero keeps every check
	Now       func() time.Time
	Log       zerolog.Logger
}

// Work implements river.Worker.
func (w *PruneWorker) Work(ctx context.Context, _ *river.Job[PruneChecksArgs]) error {
	if w.Retention <= 0 {
		return nil
	}
	cutoff := w.Now().Add(-w.Retention)
	n, err := w.Store.PruneChecks(ctx, cutoff, pruneBatch)
	if err != nil {
		return err
	}
	w.Log.Info().Int64("deleted", n).Time("cutoff", cutoff).Msg("old checks pruned")
	return nil
}
