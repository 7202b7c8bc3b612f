package ironcladsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// shutdownGrace bounds how long Serve waits for requests in flight when its
// context ends.
const shutdownGrace = 5 * time.Second

// Serve runs a simulator with a seeded demo company on addr (for example
// 127.0.0.1:0) until ctx ends, then shuts down gracefully. It prints the base
// URL and the demo company's credentials to out: they are the simulator's own
// throwaway values, printed so that a person can point a tenant at them.
func Serve(ctx context.Context, addr string, out io.Writer) error {
	return ServeDemo(ctx, addr, DemoCompany{}, out)
}

// ServeDemo is Serve with chosen demo values: the non-empty fields of demo are
// used as given and the others generated (see SeedDemoWith). A deployment
// that seeds a tenant ahead of time uses it to know the credentials.
func ServeDemo(ctx context.Context, addr string, demo DemoCompany, out io.Writer) error {
	sim := New(Options{})
	demo, err := sim.SeedDemoWith(demo)
	if err != nil {
		return fmt.Errorf("ironclad simulator: %w", err)
	}
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("ironclad simulator: listening on %s: %w", addr, err)
	}

	// Requests derive their context from base, so cancelling it at shutdown
	// ends hanging and slow faults instead of waiting for the client.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           sim,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
	}

	_, err = fmt.Fprintf(out, "ironclad simulator listening on http://%s\n"+
		"demo company id: %s\ndemo client id: %s\ndemo client secret: %s\ndemo acting user email: %s\n",
		ln.Addr(), demo.CompanyID, demo.ClientID, demo.ClientSecret, demo.ActingUserEmail)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("ironclad simulator: printing address: %w", err)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("ironclad simulator: serving: %w", err)
	case <-ctx.Done():
	}
	cancelBase()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("ironclad simulator: shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("ironclad simulator: serving: %w", err)
	}
	return nil
}
