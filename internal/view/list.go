package view

import "time"

// List returns s, or an empty slice when s is nil, so that an empty list
// prints as [] rather than null: callers of the JSON contracts can range
// over every list without a null check.
func List[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// utcPtr returns t in UTC, keeping nil for "never".
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
