package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// step is one check in a transcript and what it must leave behind.
type step struct {
	name    string
	observe func(postgres.Tenant, time.Time) health.Observation
	// events are the kinds (with codes) the check must record, in order.
	events []string
	// open are the codes open afterwards, sorted.
	open []health.Code
	// confirmSoon: the next check moves to ConfirmDelay from now.
	confirmSoon bool
}

func TestApplyObservationTranscripts(t *testing.T) {
	t.Parallel()
	scopeGranted := make([]string, len(health.Scopes))
	for i := range health.Scopes {
		scopeGranted[i] = "scope_granted"
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "credentials revoked: suspected, confirmed, seen again, resolved",
			steps: []step{
				{name: "works", observe: allOK, events: scopeGranted},
				{name: "first denial", observe: credentialsDenied, events: []string{"suspected ICD-100-B"}, confirmSoon: true},
				{name: "timeout", observe: inconclusive, confirmSoon: true},
				{name: "second denial", observe: credentialsDenied, events: []string{"incident_opened ICD-100-B"},
					open: []health.Code{"ICD-100-B"}},
				{name: "still denied", observe: credentialsDenied, open: []health.Code{"ICD-100-B"}},
				{name: "works again", observe: allOK, events: []string{"incident_resolved ICD-100-B"}},
			},
		},
		{
			name: "scope never granted opens its A code at once",
			steps: []step{
				{name: "users missing", observe: usersMissing, events: slices.Concat(
					[]string{"incident_opened ICD-102-A"}, scopeGranted[1:]), open: []health.Code{"ICD-102-A"}},
				{name: "still missing", observe: usersMissing, open: []health.Code{"ICD-102-A"}},
				{name: "granted", observe: allOK, events: []string{"incident_resolved ICD-102-A", "scope_granted"}},
			},
		},
		{
			name: "a suspicion that clears leaves no incident",
			steps: []step{
				{name: "works", observe: allOK, events: scopeGranted},
				{name: "users missing once", observe: usersMissing, events: []string{"suspected ICD-102-B"}, confirmSoon: true},
				{name: "works again", observe: allOK},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tenant := e.create(t, "acme")
			for i, st := range tt.steps {
				e.clock.Advance(time.Minute)
				now := e.clock.Now()
				// As the scheduler would, move the next check a full interval on.
				if _, err := e.pool.Exec(t.Context(), "UPDATE tenants SET next_check_at = $1", now.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
				a := e.apply(t, tenant, st.observe(tenant, now))

				var got []string
				for _, ev := range a.Events {
					s := string(ev.Kind)
					if ev.Code != "" {
						s += " " + string(ev.Code)
					}
					got = append(got, s)
				}
				if !slices.Equal(got, st.events) {
					t.Errorf("step %d (%s): events %q, want %q", i, st.name, got, st.events)
				}
				if codes := a.Ledger.OpenCodes(); !slices.Equal(codes, st.open) {
					t.Errorf("step %d (%s): open codes %v, want %v", i, st.name, codes, st.open)
				}
				wantNext := now.Add(time.Hour)
				if st.confirmSoon {
					wantNext = now.Add(2 * time.Minute)
				}
				if !a.Tenant.NextCheckAt.Equal(wantNext) {
					t.Errorf("step %d (%s): next check %v, want %v", i, st.name, a.Tenant.NextCheckAt, wantNext)
				}
				requireConsistent(t, e, tenant.ID, a)
			}
		})
	}
}

// requireConsistent checks that what ApplyObservation returned is what the
// database holds: the ledger row, the check, the events (with their
// incidents) and one open incident row per open code of the ledger.
func requireConsistent(t *testing.T, e *env, tenantID int64, a postgres.Applied) {
	t.Helper()
	ctx := t.Context()

	var stored health.Ledger
	if err := e.pool.QueryRow(ctx, "SELECT ledger FROM ledgers WHERE tenant_id = $1", tenantID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if got, want := mustJSON(t, stored), mustJSON(t, a.Ledger); got != want {
		t.Errorf("stored ledger %s\nwant %s", got, want)
	}

	var observation map[string]any
	if err := e.pool.QueryRow(ctx, "SELECT observation FROM checks WHERE id = $1 AND tenant_id = $2",
		a.CheckID, tenantID).Scan(&observation); err != nil {
		t.Fatalf("check %d: %v", a.CheckID, err)
	}
	if _, ok := observation["check_id"]; ok {
		t.Errorf("stored observation carries a check_id: %v", observation)
	}

	for _, ev := range a.Events {
		if ev.ID == 0 || ev.TenantID != tenantID || ev.CheckID != a.CheckID {
			t.Errorf("event %+v: want an id, tenant %d and check %d", ev, tenantID, a.CheckID)
		}
		isIncident := ev.Kind == health.EventIncidentOpened || ev.Kind == health.EventIncidentResolved
		if isIncident != (ev.IncidentID != 0) {
			t.Errorf("%s event has incident id %d", ev.Kind, ev.IncidentID)
		}
		if ev.IncidentID != 0 {
			var code string
			if err := e.pool.QueryRow(ctx, "SELECT code FROM incidents WHERE id = $1", ev.IncidentID).Scan(&code); err != nil ||
				code != string(ev.Code) {
				t.Errorf("%s %s names incident %d of code %q (%v)", ev.Kind, ev.Code, ev.IncidentID, code, err)
			}
		}
	}

	open, err := e.store.History(ctx, postgres.HistoryFilter{OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != len(a.Ledger.Incidents) {
		t.Fatalf("%d open incident rows, ledger has %d", len(open), len(a.Ledger.Incidents))
	}
	for _, r := range open {
		inc, ok := a.Ledger.Incidents[r.Code]
		if !ok {
			t.Errorf("open incident %s is not in the ledger", r.Code)
			continue
		}
		if !r.OpenedAt.Equal(inc.OpenedAt) || !r.LastSeenAt.Equal(inc.LastSeenAt) || r.Occurrences != inc.Occurrences ||
			r.FirstCheckID != inc.FirstCheckID || r.LastCheckID != inc.LastCheckID || r.Evidence != inc.Evidence ||
			!slices.Equal(r.Scopes, inc.Scopes) {
			t.Errorf("incident row %+v\ndisagrees with the ledger's %+v", r, inc)
		}
		if r.Kind != r.Code.Kind() || r.Capability != r.Code.Capability() || r.Message == "" || len(r.Remedy) == 0 {
			t.Errorf("incident %s lacks its catalog entry: %+v", r.Code, r)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestApplyObservationHookRunsInTheTransaction(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tenant := e.create(t, "acme")

	var seen postgres.Applied
	a, err := e.store.ApplyObservation(t.Context(), tenant.ID, credentialsDenied(tenant, epoch),
		func(ctx context.Context, tx pgx.Tx, a postgres.Applied) error {
			seen = a
			// The hook's transaction already holds the check and the incident.
			var checks, incidents int
			err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM checks), (SELECT count(*) FROM incidents)`).
				Scan(&checks, &incidents)
			if err != nil || checks != 1 || incidents != 1 {
				return fmt.Errorf("inside the hook: %d checks, %d incidents (%v)", checks, incidents, err)
			}
			// What the hook writes commits with the rest.
			_, err = tx.Exec(ctx, "CREATE TABLE hook_wrote (v int)")
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, seen) != mustJSON(t, a) {
		t.Errorf("the hook saw %+v, ApplyObservation returned %+v", seen, a)
	}
	if n := e.count(t, "SELECT count(*) FROM hook_wrote"); n != 0 {
		t.Errorf("hook_wrote has %d rows", n)
	}
}

func TestApplyObservationHookErrorRollsBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tenant := e.create(t, "acme")
	e.apply(t, tenant, allOK(tenant, epoch))
	e.clock.Advance(time.Minute)
	before := snapshot(t, e)

	boom := errors.New("enqueue failed")
	_, err := e.store.ApplyObservation(t.Context(), tenant.ID, credentialsDenied(tenant, e.clock.Now()),
		func(context.Context, pgx.Tx, postgres.Applied) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("ApplyObservation = %v, want the hook's error", err)
	}
	if after := snapshot(t, e); after != before {
		t.Errorf("a failed hook left writes behind:\nbefore %s\nafter  %s", before, after)
	}
}

func TestApplyObservationDropsStaleGeneration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tenant := e.create(t, "acme")
	e.apply(t, tenant, allOK(tenant, epoch))
	// The check started with generation 1; the credentials rotate meanwhile.
	stale := credentialsDenied(tenant, epoch.Add(time.Second))
	rotated, err := e.store.RotateCredentials(t.Context(), "acme", "", e.seal(t, "acme", "new"))
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, e)

	var hookSaw *postgres.Applied
	a, err := e.store.ApplyObservation(t.Context(), tenant.ID, stale,
		func(_ context.Context, _ pgx.Tx, a postgres.Applied) error { hookSaw = &a; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !a.Dropped || a.CheckID != 0 || len(a.Events) != 0 || a.Tenant.Generation != rotated.Generation {
		t.Errorf("stale observation: %+v, want dropped with nothing recorded", a)
	}
	if hookSaw == nil || !hookSaw.Dropped {
		t.Errorf("the hook saw %+v, want a dropped apply", hookSaw)
	}
	if after := snapshot(t, e); after != before {
		t.Errorf("a stale observation wrote:\nbefore %s\nafter  %s", before, after)
	}
}

func TestApplyObservationInconclusiveChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tenant := e.create(t, "acme")
	e.apply(t, tenant, allOK(tenant, epoch))
	var ledgerBefore string
	if err := e.pool.QueryRow(t.Context(), "SELECT ledger::text FROM ledgers").Scan(&ledgerBefore); err != nil {
		t.Fatal(err)
	}

	e.clock.Advance(time.Minute)
	a := e.apply(t, tenant, inconclusive(tenant, e.clock.Now()))
	if a.Dropped || a.CheckID == 0 || len(a.Events) != 0 {
		t.Errorf("inconclusive check: %+v, want a stored check and no events", a)
	}
	var conclusive bool
	var ledgerAfter string
	err := e.pool.QueryRow(t.Context(),
		"SELECT c.conclusive, l.ledger::text FROM checks c JOIN ledgers l USING (tenant_id) WHERE c.id = $1",
		a.CheckID).Scan(&conclusive, &ledgerAfter)
	if err != nil {
		t.Fatal(err)
	}
	if conclusive || ledgerAfter != ledgerBefore {
		t.Errorf("conclusive %t; ledger changed %t", conclusive, ledgerAfter != ledgerBefore)
	}
}

// snapshot renders every grantwatch row, to compare before and after.
func snapshot(t *testing.T, e *env) string {
	t.Helper()
	var s string
	err := e.pool.QueryRow(t.Context(), `SELECT concat_ws(' | ',
		(SELECT string_agg(row_to_json(x)::text, ',' ORDER BY x.id) FROM tenants x),
		(SELECT string_agg(row_to_json(x)::text, ',' ORDER BY x.tenant_id) FROM ledgers x),
		(SELECT string_agg(row_to_json(x)::text, ',' ORDER BY x.id) FROM checks x),
		(SELECT string_agg(row_to_json(x)::text, ',' ORDER BY x.id) FROM incidents x),
		(SELECT string_agg(row_to_json(x)::text, ',' ORDER BY x.id) FROM events x))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
