package postgres_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// history sets up three tenants with a known past:
//
//	a: t0 users missing (ICD-102-A opens), t1 all OK (it resolves),
//	   t2 and t3 credentials denied (ICD-100-B suspected, then opened)
//	b: t0+30s users missing (ICD-102-A opens)
//	c: t0 all OK, t1 credentials denied (ICD-100-B suspected)
func history(t *testing.T) (e *env, t0 time.Time) {
	t.Helper()
	e = newEnv(t)
	a, b, c := e.create(t, "a"), e.create(t, "b"), e.create(t, "c")
	t0 = epoch
	at := func(d time.Duration) time.Time {
		e.clock.now = t0.Add(d) // no concurrent use yet
		return e.clock.Now()
	}
	e.apply(t, a, usersMissing(a, at(0)))
	e.apply(t, c, allOK(c, at(0)))
	e.apply(t, b, usersMissing(b, at(30*time.Second)))
	e.apply(t, a, allOK(a, at(time.Hour)))
	e.apply(t, c, credentialsDenied(c, at(time.Hour)))
	e.apply(t, a, credentialsDenied(a, at(2*time.Hour)))
	e.apply(t, a, credentialsDenied(a, at(3*time.Hour)))
	return e, t0
}

func TestHistory(t *testing.T) {
	t.Parallel()
	e, t0 := history(t)

	type row struct {
		tenant, code, state string
	}
	tests := []struct {
		name   string
		filter postgres.HistoryFilter
		want   []row
	}{
		{"everything, newest first", postgres.HistoryFilter{}, []row{
			{"a", "ICD-100-B", "open"}, {"b", "ICD-102-A", "open"}, {"a", "ICD-102-A", "resolved"}}},
		{"one tenant", postgres.HistoryFilter{TenantExternalID: "a"}, []row{
			{"a", "ICD-100-B", "open"}, {"a", "ICD-102-A", "resolved"}}},
		{"one code", postgres.HistoryFilter{Code: "ICD-102-A"}, []row{
			{"b", "ICD-102-A", "open"}, {"a", "ICD-102-A", "resolved"}}},
		{"open only", postgres.HistoryFilter{OpenOnly: true}, []row{
			{"a", "ICD-100-B", "open"}, {"b", "ICD-102-A", "open"}}},
		{"open by code", postgres.HistoryFilter{OpenOnly: true, Code: "ICD-102-A"}, []row{
			{"b", "ICD-102-A", "open"}}},
		{"since", postgres.HistoryFilter{Since: t0.Add(time.Second)}, []row{
			{"a", "ICD-100-B", "open"}, {"b", "ICD-102-A", "open"}}},
		{"limit", postgres.HistoryFilter{Limit: 1}, []row{{"a", "ICD-100-B", "open"}}},
		{"nothing", postgres.HistoryFilter{TenantExternalID: "c"}, nil},
	}
	for _, tt := range tests {
		recs, err := e.store.History(t.Context(), tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []row
		for _, r := range recs {
			got = append(got, row{r.TenantExternalID, string(r.Code), r.State})
			if r.Message == "" || len(r.Remedy) == 0 || r.Title == "" {
				t.Errorf("%s: %s lacks its catalog text", tt.name, r.Code)
			}
			if (r.State == postgres.StateResolved) != (r.ResolvedAt != nil && r.ResolvedCheckID != 0) {
				t.Errorf("%s: %s is %s with resolved_at %v and check %d", tt.name, r.Code, r.State, r.ResolvedAt, r.ResolvedCheckID)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}

	recs, err := e.store.History(t.Context(), postgres.HistoryFilter{TenantExternalID: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if r := recs[0]; !slices.Equal(r.Scopes, []health.Scope{health.ScopeReadUsers}) || r.Occurrences != 1 ||
		r.Kind != health.KindA || r.Capability != health.CapabilityUsers || r.Evidence == "" {
		t.Errorf("b's incident %+v", r)
	}

	if _, err := e.store.History(t.Context(), postgres.HistoryFilter{Code: "ICD-999-Z"}); !errors.Is(err, postgres.ErrInvalid) {
		t.Errorf("unknown code: %v, want ErrInvalid", err)
	}
	if _, err := e.store.History(t.Context(), postgres.HistoryFilter{Limit: 5000}); !errors.Is(err, postgres.ErrInvalid) {
		t.Errorf("huge limit: %v, want ErrInvalid", err)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	e, t0 := history(t)
	a, err := e.store.TenantByExternalID(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	// Alert failures: one recent, one too old to show, one of another kind.
	for _, ev := range []health.Event{
		{Kind: health.EventAlertFailed, At: t0.Add(3 * time.Hour), Code: "ICD-100-B", Detail: "webhook: 500"},
		{Kind: health.EventAlertFailed, At: t0.Add(-8 * 24 * time.Hour), Code: "ICD-100-B"},
		{Kind: health.EventAlertDelivered, At: t0.Add(3 * time.Hour), Code: "ICD-100-B"},
	} {
		if _, err := e.store.RecordEvent(t.Context(), nil, a.ID, ev, nil); err != nil {
			t.Fatal(err)
		}
	}

	st, err := e.store.Status(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if st.Tenant.ID != a.ID {
		t.Errorf("status of a is about %+v", st.Tenant)
	}
	if len(st.Open) != 1 || st.Open[0].Code != "ICD-100-B" || len(st.Ledger.Suspected()) != 0 {
		t.Errorf("open %+v, suspected %v; want ICD-100-B open and nothing suspected", st.Open, st.Ledger.Suspected())
	}
	if st.LastCheckAt == nil || !st.LastCheckAt.Equal(t0.Add(3*time.Hour)) || st.LastCheckID == 0 {
		t.Errorf("last check %v (%d), want %v", st.LastCheckAt, st.LastCheckID, t0.Add(3*time.Hour))
	}
	if states := st.Ledger.ScopeStates(); states[health.ScopeReadUsers] != health.ScopeGranted || len(states) != len(health.Scopes) {
		t.Errorf("scope states %v", states)
	}
	if len(st.FailedAlerts) != 1 || st.FailedAlerts[0].Detail != "webhook: 500" {
		t.Errorf("failed alerts %+v, want the recent one only", st.FailedAlerts)
	}

	st, err = e.store.Status(t.Context(), "c")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(st.Ledger.Suspected(), []health.Code{"ICD-100-B"}) || len(st.Open) != 0 {
		t.Errorf("c: suspected %v, open %v; want ICD-100-B suspected only", st.Ledger.Suspected(), st.Open)
	}
	// The suspicion wants c checked again within two minutes.
	if latest := t0.Add(time.Hour + 2*time.Minute); st.Tenant.NextCheckAt.After(latest) {
		t.Errorf("c's next check %v, want no later than %v", st.Tenant.NextCheckAt, latest)
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	e, t0 := history(t)
	kindsOf := func(f postgres.EventFilter) []string {
		t.Helper()
		events, err := e.store.Events(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ev := range events {
			out = append(out, ev.TenantExternalID+" "+string(ev.Kind)+" "+string(ev.Code))
		}
		return out
	}
	incidentKinds := []health.EventKind{health.EventIncidentOpened, health.EventIncidentResolved, health.EventSuspected}

	if got, want := kindsOf(postgres.EventFilter{Kinds: incidentKinds}), []string{
		"a incident_opened ICD-100-B", "a suspected ICD-100-B", "c suspected ICD-100-B",
		"a incident_resolved ICD-102-A", "b incident_opened ICD-102-A", "a incident_opened ICD-102-A",
	}; !slices.Equal(got, want) {
		t.Errorf("incident events %q\nwant %q", got, want)
	}
	if got, want := kindsOf(postgres.EventFilter{TenantExternalID: "c", Kinds: incidentKinds}), []string{
		"c suspected ICD-100-B",
	}; !slices.Equal(got, want) {
		t.Errorf("c's incident events %q, want %q", got, want)
	}
	if got, want := kindsOf(postgres.EventFilter{Since: t0.Add(2 * time.Hour)}), []string{
		"a incident_opened ICD-100-B", "a suspected ICD-100-B",
	}; !slices.Equal(got, want) {
		t.Errorf("events since t0+2h %q, want %q", got, want)
	}
	if got := kindsOf(postgres.EventFilter{Limit: 2}); len(got) != 2 {
		t.Errorf("limit 2 gave %d events", len(got))
	}
	if got := kindsOf(postgres.EventFilter{TenantExternalID: "b", Kinds: []health.EventKind{health.EventTenantCreated}}); !slices.Equal(got, []string{"b tenant_created "}) {
		t.Errorf("b's creation %q", got)
	}
}

func TestRecordEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tenant := e.create(t, "acme")

	// In a transaction that rolls back, the event vanishes with it.
	e.inTx(t, func(tx pgx.Tx) {
		if _, err := e.store.RecordEvent(t.Context(), tx, tenant.ID, health.Event{Kind: health.EventAlertDelivered}, nil); err != nil {
			t.Fatal(err)
		}
	})
	if n := e.count(t, "SELECT count(*) FROM events WHERE kind = 'alert_delivered'"); n != 0 {
		t.Errorf("a rolled-back event was kept (%d)", n)
	}

	ev, err := e.store.RecordEvent(t.Context(), nil, tenant.ID,
		health.Event{Kind: health.EventAlertFailed, Code: "ICD-100-B", Scopes: []health.Scope{health.ScopeReadUsers}},
		map[string]any{"sink": "slack", "attempts": 3})
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID == 0 || ev.TenantExternalID != "acme" || ev.Severity != health.SeverityInfo || !ev.At.Equal(epoch) {
		t.Errorf("recorded %+v, want an id, the tenant, severity info and the clock's time", ev)
	}
	events, err := e.store.Events(t.Context(), postgres.EventFilter{Kinds: []health.EventKind{health.EventAlertFailed}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || mustJSON(t, events[0]) != mustJSON(t, ev) {
		t.Errorf("read back %+v\nwant %+v", events, ev)
	}

	if _, err := e.store.RecordEvent(t.Context(), nil, tenant.ID, health.Event{}, nil); !errors.Is(err, postgres.ErrInvalid) {
		t.Errorf("an event without a kind: %v, want ErrInvalid", err)
	}
	if _, err := e.store.RecordEvent(t.Context(), nil, tenant.ID,
		health.Event{Kind: health.EventAlertFailed, Severity: "loud"}, nil); !errors.Is(err, postgres.ErrInvalid) {
		t.Errorf("an unknown severity: %v, want ErrInvalid", err)
	}
	if _, err := e.pool.Exec(t.Context(), "UPDATE events SET summary = 'rewritten'"); err == nil {
		t.Error("events could be rewritten; they must be append-only")
	}
}
