package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

// runSim is `worker sim`: the simulated Ironclad as a standalone server,
// seeded with a demo company. Its credentials are random unless fixed by
// flags (docker-compose fixes them so the seeding step can use them).
func runSim(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "sim", "sim [--addr HOST:PORT] [--demo-client-id ID] [--demo-client-secret-file PATH] [--demo-user-email EMAIL]")
	addr := fs.String("addr", "127.0.0.1:8089", "listen address (port 0 picks a free port)")
	clientID := fs.String("demo-client-id", "", "the demo company's client id (default: random)")
	secretFile := fs.String("demo-client-secret-file", "", "file holding the demo company's client secret (default: random)")
	email := fs.String("demo-user-email", "", "the demo company's acting user (default: the simulator's)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("sim takes no positional arguments")
	}
	demo := ironcladsim.DemoCompany{ClientID: *clientID, ActingUserEmail: *email}
	if *secretFile != "" {
		b, err := readFile(*secretFile)
		if err != nil {
			return fmt.Errorf("reading --demo-client-secret-file: %w", err)
		}
		if demo.ClientSecret = strings.TrimSpace(string(b)); demo.ClientSecret == "" {
			return usagef("--demo-client-secret-file %s is empty", *secretFile)
		}
	}
	return ironcladsim.ServeDemo(ctx, *addr, demo, e.io.Stdout)
}
