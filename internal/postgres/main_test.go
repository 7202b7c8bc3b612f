package postgres_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/grantwatch/grantwatch/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	// Every pool, connection and migration goroutine must be gone once the
	// tests have cleaned up.
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}
