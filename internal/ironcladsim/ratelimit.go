package ironcladsim

import (
	"strings"
	"time"
)

// bucket is one of Ironclad's shared per-company rate-limit buckets. [doc]
type bucket int

const (
	bucketOther bucket = iota
	bucketWorkflows
	bucketRecords
	bucketSCIMUsers
)

// bucketOf returns the bucket a request path draws from. Every endpoint the
// simulator serves is a GET, so the method does not matter here.
func bucketOf(path string) bucket {
	switch {
	case strings.HasPrefix(path, workflowsPath):
		return bucketWorkflows
	case strings.HasPrefix(path, recordsPath):
		return bucketRecords
	case strings.HasPrefix(path, scimUsersPath):
		return bucketSCIMUsers
	}
	return bucketOther
}

// limit is the bucket's requests per minute for the company.
func (c *company) limit(b bucket) int {
	if c.ratePerMinute > 0 {
		return c.ratePerMinute
	}
	switch b {
	case bucketWorkflows:
		return rateWorkflows
	case bucketRecords:
		return rateRecords
	case bucketSCIMUsers:
		return rateSCIMUsers
	}
	return rateOther
}

// allow counts a request against the bucket in the current fixed one-minute
// window and reports whether it is within the limit. Call with mu held.
func (c *company) allow(b bucket, now time.Time) bool {
	window := now.Truncate(time.Minute)
	if !window.Equal(c.window) || c.used == nil {
		c.window = window
		c.used = make(map[bucket]int)
	}
	c.used[b]++
	return c.used[b] <= c.limit(b)
}
