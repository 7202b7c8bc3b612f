package localpg

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAdminURLStartsClusterWhenNothingAnswers(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	url, cleanup, err := testDiscoverer("", closedPortURL(t)).adminURL(ctx, Options{Log: t.Output()})
	if err != nil {
		t.Fatalf("adminURL: %v", err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cleanup()
		}
	})
	mustPing(t, url)

	// With a server answering, both discovery routes find it and
	// AdminURL starts nothing: its cleanup leaves the server running.
	for _, tt := range []struct {
		name, env, fallback, wantSource string
	}{
		{"env", url, closedPortURL(t), SourceEnv},
		{"fallback", "", url, SourceLocalhost},
	} {
		d := testDiscoverer(tt.env, tt.fallback)
		got, source, err := d.discover(ctx)
		if err != nil || got != url || source != tt.wantSource {
			t.Errorf("%s: discover = %q, %q, %v; want %q, %q, nil", tt.name, got, source, err, url, tt.wantSource)
		}
		got, noop, err := d.adminURL(ctx, Options{})
		if err != nil || got != url {
			t.Fatalf("%s: adminURL = %q, %v; want %q", tt.name, got, err, url)
		}
		noop()
		mustPing(t, url)
	}

	cleanup()
	stopped = true
	mustNotAnswer(t, url)
}

func TestAdminURLDoesNotStartClusterForBrokenEnv(t *testing.T) {
	t.Parallel()
	// An empty BinDir would make a start attempt fail with ErrNoBinaries,
	// so its absence from the error shows none was made.
	d := testDiscoverer(closedPortURL(t), closedPortURL(t))
	_, cleanup, err := d.adminURL(t.Context(), Options{BinDir: t.TempDir()})
	if err == nil {
		cleanup()
		t.Fatal("adminURL succeeded with an unreachable " + EnvURL)
	}
	if errors.Is(err, ErrNoBinaries) || !strings.Contains(err.Error(), EnvURL) {
		t.Errorf("error = %v, want one about %s and no start attempt", err, EnvURL)
	}
}

func TestAdminURLReportsStartFailure(t *testing.T) {
	t.Parallel()
	_, _, err := testDiscoverer("", closedPortURL(t)).adminURL(t.Context(), Options{BinDir: t.TempDir()})
	if !errors.Is(err, ErrNoServer) || !errors.Is(err, ErrNoBinaries) {
		t.Errorf("error = %v, want both ErrNoServer and ErrNoBinaries", err)
	}
}
