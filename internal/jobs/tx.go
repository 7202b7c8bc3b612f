package jobs

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Beginner opens the transactions in which a worker records its work and
// enqueues what follows from it. *pgxpool.Pool implements it.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Inserter enqueues jobs inside a transaction. *river.Client[pgx.Tx]
// implements it; an insert-only client (no queues) is enough.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// BatchInserter enqueues many jobs inside a transaction, skipping those
// whose unique key is taken. *river.Client[pgx.Tx] implements it.
type BatchInserter interface {
	InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

var (
	_ Inserter      = (*river.Client[pgx.Tx])(nil)
	_ BatchInserter = (*river.Client[pgx.Tx])(nil)
)
