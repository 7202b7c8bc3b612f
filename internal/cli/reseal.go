package cli

import (
	"context"
	"fmt"

	"github.com/grantwatch/grantwatch/internal/jobs"
)

// runReseal is `worker reseal`: after adding a new key at the front of
// GRANTWATCH_SECRET_KEYS, re-seal every stored secret under it so the old
// key can be retired.
func runReseal(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "reseal", "reseal")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("reseal takes no arguments")
	}
	d, err := openDeps(ctx, e, depsOptions{keyring: true})
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := d.store.ResealAll(ctx, d.keyring, jobs.SecretAAD)
	if err != nil {
		return fmt.Errorf("re-sealing secrets (%d done before the error): %w", n, err)
	}
	fmt.Fprintf(e.io.Stdout, "%d client secrets re-sealed under key %s\n", n, d.keyring.PrimaryID())
	return nil
}
