package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/view"
)

// checkJSON is the `check --json` contract, shared with the HTTP API.
type checkJSON = view.Check

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "check", "check ID [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	return forTenant(ctx, e, fs, args, depsOptions{keyring: true}, func(d *deps, ext string) error {
		res, err := checkNow(ctx, e, d, ext)
		if err != nil {
			return err
		}
		out := view.NewCheck(res)
		if *asJSON {
			return writeJSON(e.io.Stdout, out)
		}
		printCheck(e.io.Stdout, out, res.Applied.Ledger)
		return nil
	})
}

// checkNow verifies one tenant through the same Verifier the verify_tenant
// job uses; alerts are enqueued for the running workers to deliver.
func checkNow(ctx context.Context, e *env, d *deps, ext string) (jobs.Result, error) {
	t, err := d.store.TenantByExternalID(ctx, ext)
	if err != nil {
		return jobs.Result{}, storeErr(err, ext)
	}
	// The sinks only name the deliver_alert jobs enqueued here; the
	// running workers deliver them.
	alertCfg, sinks, err := loadAlerting(e.getenv, d.log)
	if err != nil {
		return jobs.Result{}, err
	}
	v := &jobs.Verifier{Store: d.store, Keyring: d.keyring, Checker: d.ironcladClient(), Alerts: alertCfg.Policy(), Log: d.log}
	if _, err := jobs.NewClient(jobs.Config{
		Pool: d.pool, Store: d.store, Verifier: v, Sinks: sinks,
		JobTimeout: d.cfg.JobTimeout, RescueAfter: d.cfg.RescueAfter, Log: d.log,
	}, true); err != nil {
		return jobs.Result{}, err
	}
	res, err := v.Verify(ctx, t.ID, jobs.VerifyOptions{AllowPaused: true})
	if errors.Is(err, jobs.ErrTenantGone) {
		return res, fmt.Errorf("tenant %s was removed", ext)
	}
	return res, err
}

func printCheck(w io.Writer, c checkJSON, l health.Ledger) {
	verdict := "conclusive"
	switch {
	case c.Dropped:
		verdict = "dropped: the credentials changed while it ran"
	case !c.Conclusive:
		verdict = "inconclusive: Ironclad could not be asked (nothing changed)"
	}
	fmt.Fprintf(w, "tenant %s, check %d: %s, %d API calls\n", c.Tenant, c.CheckID, verdict, c.APICalls)
	printCodes(w, l)
	printScopes(w, c.Scopes)
}

func printCodes(w io.Writer, l health.Ledger) {
	open, suspected := l.OpenCodes(), l.Suspected()
	if len(open) == 0 && len(suspected) == 0 {
		fmt.Fprintln(w, "  no open or suspected codes")
	}
	for _, code := range open {
		info, _ := health.Lookup(code)
		fmt.Fprintf(w, "  OPEN       %s  %s\n", code, info.Message)
		for _, step := range info.Remedy {
			fmt.Fprintf(w, "             - %s\n", step)
		}
	}
	for _, code := range suspected {
		info, _ := health.Lookup(code)
		fmt.Fprintf(w, "  SUSPECTED  %s  %s (awaiting confirmation by the next check)\n", code, info.Title)
	}
}

func printScopes(w io.Writer, scopes map[health.Scope]string) {
	parts := make([]string, 0, len(health.Scopes))
	for _, s := range health.Scopes {
		parts = append(parts, fmt.Sprintf("%s=%s", s, scopes[s]))
	}
	fmt.Fprintf(w, "  scopes: %s\n", strings.Join(parts, " "))
}
