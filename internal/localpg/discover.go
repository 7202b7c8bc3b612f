package localpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// EnvURL is the environment variable that names an existing server to use.
const EnvURL = "TEST_DATABASE_URL"

// Sources reported by Discover.
const (
	SourceEnv       = EnvURL
	SourceLocalhost = "localhost:5432"
)

// localhostURL is where a conventionally installed server with trust
// authentication for local TCP connections answers.
const localhostURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ErrNoServer reports that TEST_DATABASE_URL is unset and nothing answers on
// localhost:5432. It is the one Discover error after which starting a cluster
// is the right next step.
var ErrNoServer = errors.New("no PostgreSQL server found: " + EnvURL + " is unset and nothing answers on " + SourceLocalhost)

// Discover returns an admin URL for a running server: $TEST_DATABASE_URL when
// set (an error if that server does not answer, because silently using another
// server would hide a misconfiguration), else the server on 127.0.0.1:5432 if
// it answers within about a second, else ErrNoServer. source names where the
// URL came from: SourceEnv or SourceLocalhost.
func Discover(ctx context.Context) (url, source string, err error) {
	return defaultDiscoverer().discover(ctx)
}

// discoverer holds Discover's inputs so tests can point it at a closed port
// or a cluster of their own without touching the process environment.
type discoverer struct {
	getenv       func(string) string
	fallbackURL  string
	envTimeout   time.Duration
	probeTimeout time.Duration
}

func defaultDiscoverer() discoverer {
	return discoverer{
		getenv:      os.Getenv,
		fallbackURL: localhostURL,
		// A server named explicitly may be remote or busy, so it gets longer
		// than the speculative localhost probe.
		envTimeout:   5 * time.Second,
		probeTimeout: time.Second,
	}
}

func (d discoverer) discover(ctx context.Context) (url, source string, err error) {
	if env := d.getenv(EnvURL); env != "" {
		pctx, cancel := context.WithTimeout(ctx, d.envTimeout)
		defer cancel()
		// The URL itself is left out of the error: it may carry a password.
		if err := ping(pctx, env); err != nil {
			return "", "", fmt.Errorf("%s is set but its server does not answer: %w", EnvURL, err)
		}
		return env, SourceEnv, nil
	}

	pctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	if err := ping(pctx, d.fallbackURL); err != nil {
		// A cancelled caller is not the same as an absent server: report it
		// as such so AdminURL does not go on to start a cluster.
		if ctxErr := ctx.Err(); ctxErr != nil {
			return "", "", fmt.Errorf("probing %s: %w", SourceLocalhost, ctxErr)
		}
		return "", "", fmt.Errorf("%w (%w)", ErrNoServer, err)
	}
	return d.fallbackURL, SourceLocalhost, nil
}
