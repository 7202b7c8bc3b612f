package jobs

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// TestRateLimitSnoozeBacksOff: without a Retry-After, each further snooze
// of a rate-limited check waits longer, up to the ceiling. River gives a
// snoozed job back its attempt, so the attempt alone stays put from one
// snooze to the next; the snooze count in the job's metadata is what grows.
// A Retry-After is honoured, within the same ceiling.
func TestRateLimitSnoozeBacksOff(t *testing.T) {
	t.Parallel()
	row := func(attempt int, metadata string) *rivertype.JobRow {
		return &rivertype.JobRow{Attempt: attempt, Metadata: []byte(metadata)}
	}
	tests := []struct {
		name       string
		retryAfter time.Duration
		job        *rivertype.JobRow
		min, max   time.Duration
	}{
		{"first 429", 0, row(1, `{}`), 16 * time.Second, 24 * time.Second},
		{"no metadata", 0, row(1, ``), 16 * time.Second, 24 * time.Second},
		{"third snooze", 0, row(1, `{"snoozes": 2}`), 64 * time.Second, 96 * time.Second},
		{"after a failed attempt", 0, row(2, `{"snoozes": 2}`), 128 * time.Second, 192 * time.Second},
		{"many snoozes", 0, row(1, `{"snoozes": 40}`), 12 * time.Minute, 18 * time.Minute},
		{"Retry-After", 2 * time.Minute, row(1, `{"snoozes": 40}`), 2 * time.Minute, 2*time.Minute + 5*time.Second},
		{"Retry-After beyond the ceiling", 2 * time.Hour, row(1, `{}`), 15 * time.Minute, 15*time.Minute + 5*time.Second},
	}
	for _, tt := range tests {
		for range 20 {
			if got := snoozeFor(tt.retryAfter, tt.job); got < tt.min || got > tt.max {
				t.Errorf("%s: snoozed %s, want %s to %s", tt.name, got, tt.min, tt.max)
				break
			}
		}
	}
}
