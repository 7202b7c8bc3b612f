package localpg

import (
	"context"
	"errors"
	"fmt"
)

// AdminURL returns a superuser URL for a server to use: the one Discover
// finds, else a cluster from Start. cleanup stops a started cluster and is a
// no-op for a discovered server; it is never nil when err is nil. A
// TEST_DATABASE_URL that does not answer is an error rather than a reason to
// start a cluster, so a misconfigured CI fails loudly.
func AdminURL(ctx context.Context, opts Options) (url string, cleanup func(), err error) {
	return defaultDiscoverer().adminURL(ctx, opts)
}

func (d discoverer) adminURL(ctx context.Context, opts Options) (string, func(), error) {
	url, source, err := d.discover(ctx)
	if err == nil {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "localpg: using the server from %s\n", source)
		}
		return url, func() {}, nil
	}
	if !errors.Is(err, ErrNoServer) {
		return "", nil, err
	}
	c, startErr := Start(ctx, opts)
	if startErr != nil {
		return "", nil, fmt.Errorf("%w; starting a local cluster instead failed: %w", err, startErr)
	}
	cleanup := func() {
		if err := c.Stop(); err != nil && opts.Log != nil {
			fmt.Fprintf(opts.Log, "localpg: stopping cluster: %v\n", err)
		}
	}
	return c.URL(), cleanup, nil
}
