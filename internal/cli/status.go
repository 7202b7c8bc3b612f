package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/grantwatch/grantwatch/internal/view"
)

// statusJSON is the `status --json` contract, shared with the HTTP API.
type statusJSON = view.Status

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "status", "status ID [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	return forTenant(ctx, e, fs, args, depsOptions{}, func(d *deps, ext string) error {
		st, err := d.store.Status(ctx, ext)
		if err != nil {
			return storeErr(err, ext)
		}
		out := view.NewStatus(st)
		if *asJSON {
			return writeJSON(e.io.Stdout, out)
		}
		w := e.io.Stdout
		last := "never"
		if out.LastCheckAt != nil {
			last = out.LastCheckAt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "tenant %s (%s): %s; last check %s, next %s\n", out.Tenant.ExternalID, out.Tenant.Name,
			out.Tenant.State, last, out.Tenant.NextCheckAt.Format(time.RFC3339))
		printCodes(w, st.Ledger)
		printScopes(w, out.Scopes)
		for _, u := range out.Undelivered {
			fmt.Fprintf(w, "  UNDELIVERED %s alert %s to sink %s failed at %s after %d attempts: %s\n",
				u.Code, u.IdempotencyKey, u.Sink, u.At.Format(time.RFC3339), u.Attempts, u.Error)
		}
		return nil
	})
}
