package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// filter builds a WHERE clause from optional conditions. Queries are built
// per filter combination rather than written once with "$1 IS NULL OR …"
// arms, because such arms defeat the indexes once PostgreSQL switches a
// prepared statement to its generic plan.
type filter struct {
	conds []string
	args  []any
}

// add appends a condition whose "?" stands for arg.
func (f *filter) add(cond string, arg any) {
	f.args = append(f.args, arg)
	f.conds = append(f.conds, strings.Replace(cond, "?", "$"+strconv.Itoa(len(f.args)), 1))
}

// query completes selectFrom with the filter's conditions, orderBy and a
// LIMIT of its own placeholder, and returns the statement with its
// arguments. Building both together keeps the LIMIT's argument from
// depending on the order in which a call's operands are evaluated.
func (f filter) query(selectFrom, orderBy string, limit int) (string, []any) {
	var b strings.Builder
	b.WriteString(selectFrom)
	if len(f.conds) > 0 {
		b.WriteString(" WHERE " + strings.Join(f.conds, " AND "))
	}
	args := append(slices.Clip(f.args), limit)
	b.WriteString(" ORDER BY " + orderBy + " LIMIT $" + strconv.Itoa(len(args)))
	return b.String(), args
}

// maxPageSize caps every listing.
const maxPageSize = 1000

// pageSize applies the default and the cap shared by every listing.
func pageSize(limit int) (int, error) {
	switch {
	case limit == 0:
		return 100, nil
	case limit < 0 || limit > maxPageSize:
		return 0, invalid("limit", fmt.Sprintf("must be between 1 and %d", maxPageSize))
	}
	return limit, nil
}

// querier is what the store's helpers need of a transaction or a pool.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// in returns tx, or the pool when tx is nil, for methods that read or
// write in the caller's transaction if it has one.
func (s *Store) in(tx pgx.Tx) querier {
	if tx == nil {
		return s.pool
	}
	return tx
}

// queryAll runs a query and scans every row with scan; errors are
// translated with doing as their context.
func queryAll[T any](ctx context.Context, q querier, doing string, scan func(pgx.CollectableRow) (T, error),
	sql string, args ...any,
) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(err, doing)
	}
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, translate(err, doing)
	}
	return out, nil
}
