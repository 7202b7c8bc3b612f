package postgres_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// TestSecretNeverLeaves drives a tenant through creation, failed and
// successful checks, rotation, every query and a few errors, and looks for
// its client secret in everything produced: returned values as JSON and as
// %+v, error messages, log output and every row of every table.
func TestSecretNeverLeaves(t *testing.T) {
	t.Parallel()
	const (
		first  = "gw-first-secret-4f1c9a7e"
		second = "gw-second-secret-b83d20c5"
	)
	e := newEnv(t)
	ctx := t.Context()
	var produced []any
	var errs []error
	keep := func(v any, err error) {
		produced = append(produced, v)
		if err != nil {
			errs = append(errs, err)
		}
	}

	var logs bytes.Buffer
	errs = append(errs, postgres.Migrate(ctx, e.pool, zerolog.New(&logs)))

	nt := e.newTenant(t, "acme")
	nt.Secret = e.seal(t, "acme", first)
	tenant, err := e.store.CreateTenant(ctx, nt)
	if err != nil {
		t.Fatal(err)
	}
	produced = append(produced, tenant)

	// The secret pasted into the wrong fields must not come back in errors.
	bad := e.newTenant(t, "acme")
	bad.ActingUserEmail, bad.ClientID = first, first+" "+first
	keep(e.store.CreateTenant(ctx, bad))
	keep(e.store.CreateTenant(ctx, nt)) // conflict
	keep(e.store.RotateCredentials(ctx, "acme", first+" x", nt.Secret))

	checks := []func(postgres.Tenant, time.Time) health.Observation{allOK, credentialsDenied, credentialsDenied, usersMissing, usersMissing, inconclusive}
	for i, observe := range checks {
		e.clock.Advance(time.Minute)
		keep(e.store.ApplyObservation(ctx, tenant.ID, observe(tenant, e.clock.Now()),
			func(_ context.Context, _ pgx.Tx, a postgres.Applied) error {
				produced = append(produced, a)
				if i == len(checks)-1 {
					return fmt.Errorf("hook refused check %d", a.CheckID)
				}
				return nil
			}))
	}
	rotated, err := e.store.RotateCredentials(ctx, "acme", "", e.seal(t, "acme", second))
	if err != nil {
		t.Fatal(err)
	}
	produced = append(produced, rotated)
	keep(e.store.ApplyObservation(ctx, tenant.ID, credentialsDenied(tenant, e.clock.Now()), nil)) // stale

	keep(e.store.Tenant(ctx, tenant.ID))
	keep(e.store.TenantByExternalID(ctx, "acme"))
	keep(e.store.ListTenants(ctx, postgres.ListFilter{IncludeRemoved: true}))
	keep(e.store.Status(ctx, "acme"))
	keep(e.store.History(ctx, postgres.HistoryFilter{}))
	keep(e.store.Events(ctx, postgres.EventFilter{}))
	keep(e.store.RecordEvent(ctx, nil, tenant.ID, health.Event{Kind: health.EventAlertFailed}, map[string]string{"sink": "webhook"}))
	keep(e.store.SetPaused(ctx, "acme", true))
	keep(e.store.ResealAll(ctx, keyring(t, "k2", "k2"), aad)) // fails: no k1
	errs = append(errs, e.store.RemoveTenant(ctx, "acme"))

	var out strings.Builder
	for _, v := range produced {
		body, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%s\n%+v\n%#v\n", body, v, v)
	}
	for _, err := range errs {
		if err != nil {
			fmt.Fprintln(&out, err.Error())
		}
	}
	if len(errs) < 5 {
		t.Fatalf("only %d errors were produced; the test means to inspect several", len(errs))
	}
	out.WriteString(logs.String())
	out.WriteString(everyRow(t, e))

	for _, s := range []string{first, second} {
		for _, form := range []string{s, hex.EncodeToString([]byte(s)), base64.StdEncoding.EncodeToString([]byte(s))} {
			if strings.Contains(out.String(), form) {
				t.Errorf("the secret %q appears (as %q) in what the store produced", s, form)
			}
		}
	}
}

// everyRow renders every row of every table in the public schema (River's
// included) as JSON.
func everyRow(t *testing.T, e *env) string {
	t.Helper()
	rows, err := e.pool.Query(t.Context(), "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, table := range tables {
		var dump *string
		err := e.pool.QueryRow(t.Context(),
			fmt.Sprintf("SELECT string_agg(row_to_json(x)::text, E'\\n') FROM %s x", pgx.Identifier{table}.Sanitize())).Scan(&dump)
		if err != nil {
			t.Fatal(err)
		}
		if dump != nil {
			out.WriteString(*dump)
		}
	}
	if !strings.Contains(out.String(), "ICD-100-B") {
		t.Fatal("the dump holds no incident; the search would prove nothing")
	}
	return out.String()
}
