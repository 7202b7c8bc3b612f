package httpapi

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

// maxPageSize caps every list, as the store does.
const maxPageSize = 1000

// query reads a request's query parameters strictly: a parameter the
// endpoint does not know, or one given twice, is an error rather than
// silently ignored, so that a typo (?opne=true) cannot widen a listing.
// Problems accumulate, so the caller learns all of them at once.
type query struct {
	values url.Values
	fields []FieldError
}

func readQuery(r *http.Request, known ...string) *query {
	q := &query{values: r.URL.Query()}
	for _, name := range slices.Sorted(maps.Keys(q.values)) {
		switch {
		case !slices.Contains(known, name):
			q.fail(name, "is not a parameter of this endpoint (known: "+strings.Join(known, ", ")+")")
		case len(q.values[name]) > 1:
			q.fail(name, "must be given once")
		}
	}
	return q
}

func (q *query) fail(name, problem string) {
	q.fields = append(q.fields, FieldError{Field: name, Problem: problem})
}

// err returns every problem found, or nil.
func (q *query) err() error {
	if len(q.fields) == 0 {
		return nil
	}
	return Invalid(q.fields...)
}

func (q *query) str(name string) string { return q.values.Get(name) }

// int reads an integer in [lo, hi], def when absent.
func (q *query) int(name string, def, lo, hi int64) int64 {
	s := q.values.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		q.fail(name, "must be a whole number from "+strconv.FormatInt(lo, 10)+" to "+strconv.FormatInt(hi, 10))
		return def
	}
	return n
}

// bool reads true or false, false when absent.
func (q *query) bool(name string) bool {
	s := q.values.Get(name)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(name, "must be true or false")
	}
	return b
}

// code reads a troubleshooting code, in any letter case.
func (q *query) code(name string) health.Code {
	s := q.values.Get(name)
	if s == "" {
		return ""
	}
	c, err := health.ParseCode(s)
	if err != nil {
		q.fail(name, "must be one of ICD-100-A … ICD-104-B")
	}
	return c
}

// since reads a point in time: a positive duration back from now (24h,
// 90m) or an RFC 3339 time.
func (q *query) since(name string, now time.Time) time.Time {
	s := q.values.Get(name)
	if s == "" {
		return time.Time{}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d)
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	q.fail(name, "must be a positive duration (24h) or an RFC 3339 time (2026-12-01T00:00:00Z)")
	return time.Time{}
}
