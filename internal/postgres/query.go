package postgres

import (
	"context"
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

// where returns the clause ("" when there are no conditions).
func (f *filter) where() string {
	if len(f.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.conds, " AND ")
}

// limit appends a LIMIT with its own placeholder.
func (f *filter) limit(n int) string {
	f.args = append(f.args, n)
	return " LIMIT $" + strconv.Itoa(len(f.args))
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
