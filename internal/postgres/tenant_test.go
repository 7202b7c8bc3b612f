package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

func TestCreateTenant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nt := e.newTenant(t, "acme")
	got, err := e.store.CreateTenant(t.Context(), nt)
	if err != nil {
		t.Fatal(err)
	}

	if got.ID == 0 || got.ExternalID != "acme" || got.Name != nt.Name || got.Region != "na1" || got.BaseURL != "" ||
		got.ClientID != nt.ClientID || got.ActingUserEmail != nt.ActingUserEmail || got.CheckInterval != 15*time.Minute {
		t.Errorf("CreateTenant returned %+v", got)
	}
	if got.Generation != 1 || got.Paused || got.RemovedAt != nil {
		t.Errorf("new tenant: generation %d, paused %t, removed %v; want 1, false, nil", got.Generation, got.Paused, got.RemovedAt)
	}
	if !got.NextCheckAt.Equal(epoch) || !got.CreatedAt.Equal(epoch) || !got.UpdatedAt.Equal(epoch) {
		t.Errorf("times: next %v created %v updated %v, want all %v (due at once)", got.NextCheckAt, got.CreatedAt, got.UpdatedAt, epoch)
	}
	plain, err := e.kr.Unseal(got.Secret, aad("acme"))
	if err != nil || plain.Reveal() != "secret-of-acme" {
		t.Errorf("stored secret unseals to %v, %v", plain.Reveal() == "secret-of-acme", err)
	}

	byID, err := e.store.Tenant(t.Context(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	byExt, err := e.store.TenantByExternalID(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []postgres.Tenant{byID, byExt} {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(other)
		if string(a) != string(b) || !slices.Equal(got.Secret.Ciphertext, other.Secret.Ciphertext) {
			t.Errorf("read back %s, want %s", b, a)
		}
	}

	st, err := e.store.Status(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if st.Ledger.Generation != 0 || len(st.Ledger.Incidents) != 0 || st.LastCheckAt != nil {
		t.Errorf("new tenant's status %+v, want an empty ledger and no check", st)
	}
	events, err := e.store.Events(t.Context(), postgres.EventFilter{TenantExternalID: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Kind != health.EventTenantCreated || events[0].TenantID != got.ID ||
		events[0].TenantExternalID != "acme" || !events[0].At.Equal(epoch) {
		t.Fatalf("events after create: %+v", events)
	}
	var detail map[string]any
	if err := json.Unmarshal(events[0].Data, &detail); err != nil || detail["client_id"] != nt.ClientID {
		t.Errorf("tenant_created detail %s (%v)", events[0].Data, err)
	}
}

func TestCreateTenantWithBaseURLAndDefaultName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nt := e.newTenant(t, "sim")
	nt.Region, nt.BaseURL, nt.Name = "", "http://127.0.0.1:8080", ""
	got, err := e.store.CreateTenant(t.Context(), nt)
	if err != nil {
		t.Fatal(err)
	}
	if got.BaseURL != nt.BaseURL || got.Region != "" || got.Name != "sim" {
		t.Errorf("got base URL %q, region %q, name %q", got.BaseURL, got.Region, got.Name)
	}
}

func TestCreateTenantValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name   string
		change func(*postgres.NewTenant)
		fields []string
	}{
		{"empty external id", func(n *postgres.NewTenant) { n.ExternalID = "" }, []string{"external_id"}},
		{"external id with a slash", func(n *postgres.NewTenant) { n.ExternalID = "a/b" }, []string{"external_id"}},
		{"external id too long", func(n *postgres.NewTenant) { n.ExternalID = strings.Repeat("a", 129) }, []string{"external_id"}},
		{"name with a newline", func(n *postgres.NewTenant) { n.Name = "a\nb" }, []string{"name"}},
		{"neither region nor base URL", func(n *postgres.NewTenant) { n.Region = "" }, []string{"region"}},
		{"both region and base URL", func(n *postgres.NewTenant) { n.BaseURL = "https://x.example" }, []string{"region"}},
		{"odd region", func(n *postgres.NewTenant) { n.Region = "NA 1" }, []string{"region"}},
		{"base URL with user info", func(n *postgres.NewTenant) {
			n.Region, n.BaseURL = "", "https://user:pw@x.example"
		}, []string{"base_url"}},
		{"relative base URL", func(n *postgres.NewTenant) { n.Region, n.BaseURL = "", "/api" }, []string{"base_url"}},
		{"ftp base URL", func(n *postgres.NewTenant) { n.Region, n.BaseURL = "", "ftp://x.example" }, []string{"base_url"}},
		{"empty client id", func(n *postgres.NewTenant) { n.ClientID = "" }, []string{"client_id"}},
		{"client id with a space", func(n *postgres.NewTenant) { n.ClientID = "a b" }, []string{"client_id"}},
		{"unsealed secret", func(n *postgres.NewTenant) { n.Secret = secret.Sealed{} }, []string{"secret"}},
		{"email with a display name", func(n *postgres.NewTenant) { n.ActingUserEmail = "Ops <ops@x.example>" }, []string{"acting_user_email"}},
		{"not an email", func(n *postgres.NewTenant) { n.ActingUserEmail = "ops" }, []string{"acting_user_email"}},
		{"interval under a second", func(n *postgres.NewTenant) { n.CheckInterval = 999 * time.Millisecond }, []string{"check_interval"}},
		{"interval over 30 days", func(n *postgres.NewTenant) { n.CheckInterval = 31 * 24 * time.Hour }, []string{"check_interval"}},
		{"several problems at once", func(n *postgres.NewTenant) {
			n.ClientID, n.ActingUserEmail, n.CheckInterval = "", "", 0
		}, []string{"client_id", "acting_user_email", "check_interval"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nt := e.newTenant(t, "valid")
			tt.change(&nt)
			_, err := e.store.CreateTenant(t.Context(), nt)
			if !errors.Is(err, postgres.ErrInvalid) {
				t.Fatalf("CreateTenant: %v, want ErrInvalid", err)
			}
			var fields []string
			for _, one := range unjoin(err) {
				var ve *postgres.ValidationError
				if !errors.As(one, &ve) {
					t.Fatalf("%v is not a ValidationError", one)
				}
				fields = append(fields, ve.Field)
			}
			if !slices.Equal(fields, tt.fields) {
				t.Errorf("invalid fields %v, want %v (error: %v)", fields, tt.fields, err)
			}
		})
	}
	if n := e.count(t, "SELECT count(*) FROM tenants"); n != 0 {
		t.Errorf("invalid tenants wrote %d rows", n)
	}
}

// unjoin splits an errors.Join result into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestCreateTenantConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.create(t, "acme")
	_, err := e.store.CreateTenant(t.Context(), e.newTenant(t, "acme"))
	if !errors.Is(err, postgres.ErrConflict) {
		t.Fatalf("second CreateTenant(acme) = %v, want ErrConflict", err)
	}
	if n := e.count(t, "SELECT count(*) FROM events"); n != 1 {
		t.Errorf("the failed create left events behind: %d events", n)
	}

	// A removed tenant frees its external id; the old one stays reachable by id.
	if err := e.store.RemoveTenant(t.Context(), "acme"); err != nil {
		t.Fatal(err)
	}
	second, err := e.store.CreateTenant(t.Context(), e.newTenant(t, "acme"))
	if err != nil {
		t.Fatalf("re-creating a removed tenant's id: %v", err)
	}
	if second.ID == first.ID {
		t.Fatal("the new tenant reused the removed tenant's id")
	}
	old, err := e.store.Tenant(t.Context(), first.ID)
	if err != nil || old.RemovedAt == nil {
		t.Fatalf("removed tenant by id: %+v, %v", old, err)
	}
	live, err := e.store.TenantByExternalID(t.Context(), "acme")
	if err != nil || live.ID != second.ID {
		t.Fatalf("TenantByExternalID(acme) = %d, %v; want %d", live.ID, err, second.ID)
	}
}

func TestTenantNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	_, errID := e.store.Tenant(ctx, 12345)
	_, errExt := e.store.TenantByExternalID(ctx, "nobody")
	_, errRotate := e.store.RotateCredentials(ctx, "nobody", "", e.seal(t, "nobody", "x"))
	_, errPause := e.store.SetPaused(ctx, "nobody", true)
	errRemove := e.store.RemoveTenant(ctx, "nobody")
	_, errStatus := e.store.Status(ctx, "nobody")
	_, errHistory := e.store.History(ctx, postgres.HistoryFilter{TenantExternalID: "nobody"})
	_, errEvents := e.store.Events(ctx, postgres.EventFilter{TenantExternalID: "nobody"})
	_, errApply := e.store.ApplyObservation(ctx, 12345, health.Observation{}, nil)
	_, errRecord := e.store.RecordEvent(ctx, nil, 12345, health.Event{Kind: health.EventAlertDelivered}, nil)
	for name, err := range map[string]error{
		"Tenant": errID, "TenantByExternalID": errExt, "RotateCredentials": errRotate, "SetPaused": errPause,
		"RemoveTenant": errRemove, "Status": errStatus, "History": errHistory, "Events": errEvents,
		"ApplyObservation": errApply, "RecordEvent": errRecord,
	} {
		if !errors.Is(err, postgres.ErrNotFound) {
			t.Errorf("%s of an unknown tenant: %v, want ErrNotFound", name, err)
		}
	}
}

func TestListTenants(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.createAll(t, "a", "b", "c", "d", "e")
	if err := e.store.RemoveTenant(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}

	pageIDs := func(f postgres.ListFilter) []int64 {
		t.Helper()
		page, err := e.store.ListTenants(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, tenant := range page {
			out = append(out, tenant.ID)
		}
		return out
	}
	if got, want := pageIDs(postgres.ListFilter{}), []int64{ids[0], ids[1], ids[3], ids[4]}; !slices.Equal(got, want) {
		t.Errorf("live tenants %v, want %v", got, want)
	}
	if got := pageIDs(postgres.ListFilter{IncludeRemoved: true}); !slices.Equal(got, ids) {
		t.Errorf("all tenants %v, want %v", got, ids)
	}
	if got, want := pageIDs(postgres.ListFilter{Limit: 2}), ids[:2]; !slices.Equal(got, want) {
		t.Errorf("first page %v, want %v", got, want)
	}
	if got, want := pageIDs(postgres.ListFilter{Limit: 2, AfterID: ids[1]}), []int64{ids[3], ids[4]}; !slices.Equal(got, want) {
		t.Errorf("second page %v, want %v", got, want)
	}
	for _, limit := range []int{-1, 1001} {
		if _, err := e.store.ListTenants(t.Context(), postgres.ListFilter{Limit: limit}); !errors.Is(err, postgres.ErrInvalid) {
			t.Errorf("limit %d: %v, want ErrInvalid", limit, err)
		}
	}
}

func TestRotateCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tenant := e.create(t, "acme")
	// The tenant was checked and is not due for a while.
	if _, err := e.pool.Exec(t.Context(), "UPDATE tenants SET next_check_at = $1", epoch.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)

	rotated, err := e.store.RotateCredentials(t.Context(), "acme", "", e.seal(t, "acme", "new-secret"))
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Generation != 2 || rotated.ClientID != tenant.ClientID || !rotated.NextCheckAt.Equal(e.clock.Now()) {
		t.Errorf("after a secret rotation: generation %d client %q next %v", rotated.Generation, rotated.ClientID, rotated.NextCheckAt)
	}
	if plain, err := e.kr.Unseal(rotated.Secret, aad("acme")); err != nil || plain.Reveal() != "new-secret" {
		t.Errorf("rotated secret does not unseal to the new value (%v)", err)
	}

	rotated, err = e.store.RotateCredentials(t.Context(), "acme", "client-2", e.seal(t, "acme", "third"))
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Generation != 3 || rotated.ClientID != "client-2" {
		t.Errorf("after a client rotation: generation %d client %q", rotated.Generation, rotated.ClientID)
	}

	events, err := e.store.Events(t.Context(), postgres.EventFilter{Kinds: []health.EventKind{health.EventCredentialsRotated}})
	if err != nil {
		t.Fatal(err)
	}
	var changed []bool
	for _, ev := range events {
		var d struct {
			ClientIDChanged bool `json:"client_id_changed"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatal(err)
		}
		changed = append(changed, d.ClientIDChanged)
	}
	if want := []bool{true, false}; !slices.Equal(changed, want) { // newest first
		t.Errorf("client_id_changed of the rotations (newest first) %v, want %v", changed, want)
	}

	for name, call := range map[string]func() error{
		"unsealed secret": func() error {
			_, err := e.store.RotateCredentials(t.Context(), "acme", "", secret.Sealed{})
			return err
		},
		"client id with spaces": func() error {
			_, err := e.store.RotateCredentials(t.Context(), "acme", "a b", e.seal(t, "acme", "x"))
			return err
		},
	} {
		if err := call(); !errors.Is(err, postgres.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestSetPaused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create(t, "acme")
	kinds := func() []health.EventKind {
		t.Helper()
		events, err := e.store.Events(t.Context(), postgres.EventFilter{TenantExternalID: "acme"})
		if err != nil {
			t.Fatal(err)
		}
		var out []health.EventKind
		for _, ev := range slices.Backward(events) {
			out = append(out, ev.Kind)
		}
		return out
	}

	paused, err := e.store.SetPaused(t.Context(), "acme", true)
	if err != nil || !paused.Paused {
		t.Fatalf("pause: %+v, %v", paused, err)
	}
	if _, err := e.store.SetPaused(t.Context(), "acme", true); err != nil {
		t.Fatalf("pausing again: %v", err)
	}
	// While paused, its next check (now) passes; resuming keeps it due.
	e.clock.Advance(time.Hour)
	resumed, err := e.store.SetPaused(t.Context(), "acme", false)
	if err != nil || resumed.Paused || !resumed.NextCheckAt.Equal(epoch) {
		t.Fatalf("resume: %+v, %v", resumed, err)
	}
	want := []health.EventKind{health.EventTenantCreated, health.EventTenantPaused, health.EventTenantResumed}
	if got := kinds(); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v (pausing twice records once)", got, want)
	}
}

func TestRemoveTenant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tenant := e.create(t, "acme")
	// A first check that fails opens ICD-100-A.
	e.apply(t, tenant, credentialsDenied(tenant, epoch))
	e.clock.Advance(time.Minute)

	if err := e.store.RemoveTenant(t.Context(), "acme"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RemoveTenant(t.Context(), "acme"); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("removing twice: %v, want ErrNotFound", err)
	}
	incidents, err := e.store.History(t.Context(), postgres.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(incidents) != 1 || incidents[0].State != postgres.StateResolved || incidents[0].ResolvedCheckID != 0 ||
		!incidents[0].ResolvedAt.Equal(e.clock.Now()) {
		t.Errorf("incidents after removal: %+v", incidents)
	}
	events, err := e.store.Events(t.Context(), postgres.EventFilter{Kinds: []health.EventKind{health.EventTenantRemoved}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || string(events[0].Data) != `{"closed_incidents": 1}` {
		t.Errorf("tenant_removed events %+v", events)
	}

	hookCalled := false
	_, err = e.store.ApplyObservation(t.Context(), tenant.ID, allOK(tenant, e.clock.Now()),
		func(context.Context, pgx.Tx, postgres.Applied) error { hookCalled = true; return nil })
	if !errors.Is(err, postgres.ErrTenantGone) || hookCalled {
		t.Errorf("applying to a removed tenant: %v (hook called: %t), want ErrTenantGone without the hook", err, hookCalled)
	}
	if n := e.count(t, "SELECT count(*) FROM checks"); n != 1 {
		t.Errorf("%d checks, want only the one before removal", n)
	}
}
