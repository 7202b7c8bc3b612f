package eventually_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/eventually"
)

func TestTrueReturnsOnceTheConditionHolds(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	eventually.True(t, 5*time.Second, "the third poll", func() (bool, string) {
		return n.Add(1) >= 3, fmt.Sprintf("poll %d", n.Load())
	})
	if got := n.Load(); got != 3 {
		t.Errorf("polled %d times, want 3", got)
	}
}

// recorder stands in for a test so that a failure can be observed.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	panic(r)
}

func (r *recorder) Helper() {}

func TestTrueFailsWithTheLastState(t *testing.T) {
	t.Parallel()
	r := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != r {
				t.Fatalf("True did not fail the test (recovered %v)", p)
			}
		}()
		eventually.True(r, 3*eventually.Poll, "a miracle", func() (bool, string) { return false, "still nothing" })
	}()
	if !strings.Contains(r.failed, "a miracle") || !strings.Contains(r.failed, "still nothing") {
		t.Errorf("failure message %q should name the wait and the last state", r.failed)
	}
}
