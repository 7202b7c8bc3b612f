package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

type statusJSON struct {
	Tenant      tenantJSON              `json:"tenant"`
	Open        []incidentJSON          `json:"open"`
	Suspected   []health.Code           `json:"suspected"`
	Scopes      map[health.Scope]string `json:"scopes"`
	LastCheckAt *time.Time              `json:"last_check_at"`
	Undelivered []undeliveredJSON       `json:"undelivered_alerts"`
}

type undeliveredJSON struct {
	EventID int64       `json:"event_id"`
	At      time.Time   `json:"at"`
	Code    health.Code `json:"code,omitempty"`
	Detail  any         `json:"detail,omitempty"`
}

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "status", "status ID [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	ext, err := onePositional(pos, "status", "tenant ID")
	if err != nil {
		return err
	}
	d, err := openDeps(ctx, e, depsOptions{})
	if err != nil {
		return err
	}
	defer d.Close()
	st, err := d.store.Status(ctx, ext)
	if err != nil {
		return storeErr(err, ext)
	}
	out := statusJSON{
		Tenant: toTenantJSON(st.Tenant), Suspected: nonNil(st.Ledger.Suspected()),
		Scopes: scopeStrings(st.Ledger.ScopeStates()), LastCheckAt: utcPtr(st.LastCheckAt),
		Open: []incidentJSON{}, Undelivered: []undeliveredJSON{},
	}
	for _, r := range st.Open {
		out.Open = append(out.Open, toIncidentJSON(r))
	}
	for _, ev := range st.FailedAlerts {
		out.Undelivered = append(out.Undelivered, undeliveredJSON{EventID: ev.ID, At: utc(ev.At), Code: ev.Code, Detail: ev.Detail})
	}
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
		fmt.Fprintf(w, "  UNDELIVERED alert for event %d (%s) at %s\n", u.EventID, u.Code, u.At.Format(time.RFC3339))
	}
	return nil
}
