package localpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestStartStop(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	c, err := Start(ctx, Options{Log: t.Output()})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = c.Stop() }) // In case the test fails before it stops the cluster.

	conn, err := pgx.Connect(ctx, c.URL())
	if err != nil {
		t.Fatalf("connecting over TCP: %v", err)
	}
	var one int
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("select 1 = %d, %v", one, err)
	}
	for setting, want := range map[string]string{
		"fsync":              "off",
		"synchronous_commit": "off",
		"full_page_writes":   "off",
	} {
		var got string
		if err := conn.QueryRow(ctx, "select current_setting($1)", setting).Scan(&got); err != nil {
			t.Fatalf("reading %s: %v", setting, err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
	var maxConns string
	if err := conn.QueryRow(ctx, "show max_connections").Scan(&maxConns); err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(maxConns); n < 200 {
		t.Errorf("max_connections = %s, want at least 200", maxConns)
	}
	if err := conn.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// The unix socket lives in the cluster directory.
	port := conn.Config().Port
	mustPing(t, fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres", c.dir, port))

	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(c.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cluster directory still there after Stop: %v", err)
	}
	mustNotAnswer(t, c.URL())
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestStartWithoutBinaries(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	c, err := Start(t.Context(), Options{BinDir: empty})
	if err == nil {
		_ = c.Stop()
		t.Fatal("Start succeeded without binaries")
	}
	if !errors.Is(err, ErrNoBinaries) {
		t.Errorf("error %v does not wrap ErrNoBinaries", err)
	}
	for _, want := range []string{empty, "apt-get install postgresql", "TEST_DATABASE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestStartFailureCleansUp(t *testing.T) {
	t.Parallel()
	// The directories must be reachable by the unprivileged user the
	// binaries run as when the test runs as root, which t.TempDir's are not.
	root, err := os.MkdirTemp("", "localpg-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// Binaries that exist but fail make Start fail after it created its
	// directory; the directory must not outlive the error.
	bin := filepath.Join(root, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range serverBinaries {
		script := "#!/bin/sh\necho " + name + " refuses >&2\nexit 1\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	parent := filepath.Join(root, "clusters")
	if err := os.Mkdir(parent, 0o755); err != nil {
		t.Fatal(err)
	}

	_, err = startIn(t.Context(), Options{BinDir: bin}, parent)
	if err == nil || !strings.Contains(err.Error(), "running initdb") || !strings.Contains(err.Error(), "initdb refuses") {
		t.Fatalf("Start error = %v, want one quoting initdb's output", err)
	}
	left, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("Start left %s behind", e.Name())
	}
}
