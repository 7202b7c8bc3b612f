package cli

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/view"
)

// incidentJSON is an element of the `history --json` contract, shared with
// the HTTP API.
type incidentJSON = view.Incident

func runHistory(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "history", "history [--tenant ID] [--code CODE] [--open | --undelivered] [--since DURATION|TIME] [--limit N] [--json]")
	tenant := fs.String("tenant", "", "only this tenant (external id)")
	code := fs.String("code", "", "only this code, e.g. ICD-102-B")
	openOnly := fs.Bool("open", false, "only incidents still open")
	undelivered := fs.Bool("undelivered", false, "list alerts that were never delivered (alert_failed events) instead of incidents")
	since := fs.String("since", "", "only incidents opened since: a duration back from now (24h, 90m) or an RFC 3339 time")
	limit := fs.Int("limit", 50, "at most this many incidents (1-1000)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("history takes no positional arguments (got %q); use --tenant", pos[0])
	}
	f := postgres.HistoryFilter{TenantExternalID: *tenant, OpenOnly: *openOnly, Limit: *limit}
	if *limit < 1 || *limit > 1000 {
		return usagef("--limit %d: want 1 to 1000", *limit)
	}
	if *openOnly && *undelivered {
		return usagef("--open is about incidents; it cannot be combined with --undelivered")
	}
	if *code != "" {
		c, err := health.ParseCode(strings.ToUpper(*code))
		if err != nil {
			return usagef("--code %q: want one of ICD-100-A … ICD-104-B", *code)
		}
		f.Code = c
	}
	if *since != "" {
		t, err := parseSince(*since, time.Now())
		if err != nil {
			return err
		}
		f.Since = t
	}
	d, err := openDeps(ctx, e, depsOptions{})
	if err != nil {
		return err
	}
	defer d.Close()
	if *tenant != "" {
		if _, err := d.store.TenantByExternalID(ctx, *tenant); err != nil {
			return storeErr(err, *tenant)
		}
	}
	if *undelivered {
		return printUndelivered(ctx, e, d, f, *asJSON)
	}
	recs, err := d.store.History(ctx, f)
	if err != nil {
		return err
	}
	out := view.NewIncidents(recs)
	if *asJSON {
		return writeJSON(e.io.Stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.io.Stdout, "no incidents match")
		return nil
	}
	tw := tabwriter.NewWriter(e.io.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTENANT\tCODE\tSTATE\tOPENED\tRESOLVED\tSEEN\tSCOPES")
	for _, r := range out {
		resolved := "-"
		if r.ResolvedAt != nil {
			resolved = r.ResolvedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d×\t%s\n", r.ID, r.Tenant, r.Code, r.State,
			r.OpenedAt.Format(time.RFC3339), resolved, r.Occurrences, joinScopes(r.Scopes))
	}
	return tw.Flush()
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, usagef("--since %q: a duration must be positive", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--since %q: want a duration (24h) or an RFC 3339 time (2026-12-01T00:00:00Z)", s)
}

func joinScopes(s []health.Scope) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(scopeNames(s), ",")
}

// printUndelivered lists alert_failed events: alerts that a sink refused or
// that were retried until GRANTWATCH_ALERT_GIVE_UP_AFTER without success.
func printUndelivered(ctx context.Context, e *env, d *deps, f postgres.HistoryFilter, asJSON bool) error {
	events, err := d.store.Events(ctx, postgres.EventFilter{
		TenantExternalID: f.TenantExternalID, Kinds: []health.EventKind{health.EventAlertFailed},
		Since: f.Since, Limit: f.Limit,
	})
	if err != nil {
		return err
	}
	out := make([]view.Undelivered, 0, len(events))
	for _, ev := range events {
		if f.Code != "" && ev.Code != f.Code {
			continue
		}
		out = append(out, view.NewUndelivered(ev))
	}
	if asJSON {
		return writeJSON(e.io.Stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.io.Stdout, "no undelivered alerts")
		return nil
	}
	tw := tabwriter.NewWriter(e.io.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT	TENANT	CODE	AT	SINK	ATTEMPTS	ERROR")
	for _, u := range out {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", u.EventID, u.Tenant, cmp.Or(string(u.Code), "-"),
			u.At.Format(time.RFC3339), u.Sink, u.Attempts, u.Error)
	}
	return tw.Flush()
}
