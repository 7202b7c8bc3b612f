package localpg

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// closedPortURL returns a URL on a localhost port that nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://postgres:hunter2@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=1", port)
}

// testDiscoverer is a discoverer that sees env as TEST_DATABASE_URL and
// probes fallback instead of localhost:5432.
func testDiscoverer(env, fallback string) discoverer {
	d := defaultDiscoverer()
	d.getenv = func(key string) string {
		if key == EnvURL {
			return env
		}
		return ""
	}
	d.fallbackURL = fallback
	return d
}

// mustPing fails the test unless url answers within a few seconds.
func mustPing(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := ping(ctx, url); err != nil {
		t.Fatalf("server does not answer: %v", err)
	}
}

// mustNotAnswer fails the test if url still answers.
func mustNotAnswer(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := ping(ctx, url); err == nil {
		t.Fatal("server still answers")
	}
}
