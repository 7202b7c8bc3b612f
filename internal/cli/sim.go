package cli

import (
	"context"

	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

// runSim is `worker sim`: the simulated Ironclad as a standalone server.
func runSim(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "sim", "sim [--addr HOST:PORT]")
	addr := fs.String("addr", "127.0.0.1:8089", "listen address (port 0 picks a free port)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("sim takes no positional arguments")
	}
	return ironcladsim.Serve(ctx, *addr, e.io.Stdout)
}
