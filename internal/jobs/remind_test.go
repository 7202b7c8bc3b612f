package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// newDeliveries returns the deliveries enqueued since the last call, as
// "key→sink" strings.
func (w *world) newDeliveries(seen *int) []string {
	w.t.Helper()
	all := w.deliveries()
	var out []string
	for _, d := range all[*seen:] {
		out = append(out, d.Key+"→"+d.Sink)
	}
	*seen = len(all)
	return out
}

// toBothSinks lists one key's deliveries to the world's two sinks.
func toBothSinks(key string) []string { return []string{key + "→first", key + "→second"} }

// failingInserter fails every enqueue, as a database error would in the
// middle of the reminder transaction.
type failingInserter struct{}

func (failingInserter) InsertManyTx(context.Context, pgx.Tx, []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	return nil, errors.New("enqueue refused")
}

// TestReminders follows one B incident from its opening to its resolution:
// a numbered reminder per interval and sink, never repeated by a second
// scan or a restarted worker, never skipped by a failed one, and none once
// resolved. The resolved alert carries when the incident opened.
func TestReminders(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	acme := w.addTenant("acme")
	seen := 0

	w.verify(acme)
	if got := w.newDeliveries(&seen); len(got) != 0 {
		t.Fatalf("a healthy check enqueued %v", got)
	}
	openedAt := epoch.Add(time.Minute)
	w.clock.Set(openedAt)
	res := w.verify(acme, health.ScopeReadUsers)
	if len(res.Alerts) != 1 || res.Alerts[0].Code != "ICD-102-B" {
		t.Fatalf("revocation alerts = %+v, want one ICD-102-B", res.Alerts)
	}
	opening := res.Alerts[0].IdempotencyKey()
	if got := w.newDeliveries(&seen); !slices.Equal(got, toBothSinks(opening)) {
		t.Fatalf("opening deliveries = %v", got)
	}
	reminder := func(n int) string { return fmt.Sprintf("%s-reminder-%d", opening, n) }

	steps := []struct {
		name   string
		at     time.Time
		insert jobs.BatchInserter // nil: the real client
		want   []string
	}{
		{"not yet due", openedAt.Add(remindEvery - time.Second), nil, nil},
		{"first when due", openedAt.Add(remindEvery), nil, toBothSinks(reminder(1))},
		{"a second scan at once sends nothing", openedAt.Add(remindEvery), nil, nil},
		{"counted from the last reminder", openedAt.Add(2*remindEvery - time.Second), nil, nil},
		{"second", openedAt.Add(2 * remindEvery), nil, toBothSinks(reminder(2))},
		{"a failed scan changes nothing", openedAt.Add(3 * remindEvery), failingInserter{}, nil},
		{"the failed number is sent next", openedAt.Add(3 * remindEvery), nil, toBothSinks(reminder(3))},
		{"a late scan sends one, not the intervals missed", openedAt.Add(7 * remindEvery), nil, toBothSinks(reminder(4))},
	}
	for _, s := range steps {
		w.clock.Set(s.at)
		insert := s.insert
		if insert == nil {
			insert = w.client
		}
		err := w.remindWorker(insert).Work(t.Context(), &river.Job[jobs.RemindArgs]{})
		if (err != nil) != (s.insert != nil) {
			t.Fatalf("%s: Work = %v", s.name, err)
		}
		if got := w.newDeliveries(&seen); !slices.Equal(got, s.want) {
			t.Fatalf("%s: enqueued %v, want %v", s.name, got, s.want)
		}
	}

	all := w.deliveries()
	r := all[len(all)-1].Alert
	if r.Kind != alert.KindReminder || r.Reminder != 4 || r.Code != "ICD-102-B" || r.TenantName != "Tenant acme" ||
		!r.OpenedAt.Equal(openedAt) || r.IncidentID == 0 || !slices.Equal(r.Scopes, []health.Scope{health.ScopeReadUsers}) {
		t.Errorf("reminder alert = %+v", r)
	}

	w.clock.Set(openedAt.Add(7*remindEvery + time.Minute))
	res = w.verify(acme)
	if len(res.Alerts) != 1 || res.Alerts[0].State != alert.StateResolved {
		t.Fatalf("restore alerts = %+v, want one resolved", res.Alerts)
	}
	if got := res.Alerts[0].OpenedAt; !got.Equal(openedAt) {
		t.Errorf("resolved alert opened_at = %v, want %v", got, openedAt)
	}
	if res.Alerts[0].IncidentID != r.IncidentID {
		t.Errorf("resolved alert incident %d, firing %d", res.Alerts[0].IncidentID, r.IncidentID)
	}
	w.newDeliveries(&seen)
	if err := w.remindAt(openedAt.Add(30 * remindEvery)); err != nil {
		t.Fatal(err)
	}
	if got := w.newDeliveries(&seen); len(got) != 0 {
		t.Errorf("a resolved incident was reminded: %v", got)
	}
}

// TestRemindersOnlyForOpenBIncidentsOfActiveTenants: A incidents (setup
// mistakes) are not repeated, a paused tenant's incidents wait until it
// resumes, and with reminders off nothing is sent.
func TestRemindersOnlyForOpenBIncidentsOfActiveTenants(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	never := w.addTenant("never-granted")
	w.verify(never, health.ScopeReadUsers) // ICD-102-A on the first check
	paused := w.addTenant("paused")
	w.verify(paused)
	res := w.verify(paused, health.ScopeReadUsers)
	if len(res.Alerts) != 1 {
		t.Fatalf("revocation alerts = %+v", res.Alerts)
	}
	if _, err := w.store.SetPaused(t.Context(), "paused", true); err != nil {
		t.Fatal(err)
	}
	seen := len(w.deliveries())

	w.clock.Set(epoch.Add(5 * remindEvery))
	off := w.remindWorker(w.client)
	off.Policy = alert.Policy{}
	if err := off.Work(t.Context(), &river.Job[jobs.RemindArgs]{}); err != nil {
		t.Fatal(err)
	}
	if got := w.newDeliveries(&seen); len(got) != 0 {
		t.Errorf("reminders off enqueued %v", got)
	}
	if err := w.remindAt(epoch.Add(5 * remindEvery)); err != nil {
		t.Fatal(err)
	}
	if got := w.newDeliveries(&seen); len(got) != 0 {
		t.Errorf("an A incident or a paused tenant was reminded: %v", got)
	}

	if _, err := w.store.SetPaused(t.Context(), "paused", false); err != nil {
		t.Fatal(err)
	}
	if err := w.remindAt(epoch.Add(5 * remindEvery)); err != nil {
		t.Fatal(err)
	}
	want := toBothSinks(res.Alerts[0].IdempotencyKey() + "-reminder-1")
	if got := w.newDeliveries(&seen); !slices.Equal(got, want) {
		t.Errorf("after resuming: %v, want %v", got, want)
	}
}

// TestRemindersInBatches: more incidents due than one batch holds are all
// reminded by one scan, each once.
func TestRemindersInBatches(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const tenants = 5
	var want []string
	for i := range tenants {
		tn := w.addTenant(fmt.Sprintf("t%d", i))
		w.verify(tn)
		res := w.verify(tn, health.ScopeReadUsers)
		want = append(want, toBothSinks(res.Alerts[0].IdempotencyKey()+"-reminder-1")...)
	}
	seen := len(w.deliveries())
	w.clock.Set(epoch.Add(remindEvery))
	rw := w.remindWorker(w.client)
	rw.BatchSize = 2
	if err := rw.Work(t.Context(), &river.Job[jobs.RemindArgs]{}); err != nil {
		t.Fatal(err)
	}
	got := w.newDeliveries(&seen)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("one scan in batches of 2 enqueued\n%v\nwant\n%v", got, want)
	}
}

// TestClaimRemindersValidates: nonsense arguments are refused, not run.
func TestClaimRemindersValidates(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tx, err := w.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(t.Context()) //nolint:errcheck // read-only
	for _, tc := range []struct {
		every time.Duration
		limit int
	}{{time.Hour, 0}, {0, 10}} {
		if _, err := w.store.ClaimReminders(t.Context(), tx, epoch, tc.every, tc.limit); !errors.Is(err, postgres.ErrInvalid) {
			t.Errorf("ClaimReminders(every %s, limit %d) = %v, want ErrInvalid", tc.every, tc.limit, err)
		}
	}
}
