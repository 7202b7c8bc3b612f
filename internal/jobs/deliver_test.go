package jobs_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// giveUpAfter is how long the deliveries in these tests keep trying.
const giveUpAfter = time.Hour

// deliverWorker is a deliver_alert worker over the given sinks, on the
// world's database and the real clock (River stamps jobs with it).
func (w *world) deliverWorker(sinks ...alert.Sink) *jobs.DeliverWorker {
	bySink := make(map[string]alert.Sink, len(sinks))
	for _, s := range sinks {
		bySink[s.Name()] = s
	}
	return &jobs.DeliverWorker{
		Store: w.store, Pool: w.pool, Sinks: bySink,
		Delivery:   alert.Delivery{GiveUpAfter: giveUpAfter},
		JobTimeout: time.Minute, Now: time.Now, Log: zerolog.Nop(),
	}
}

// deliverJob is attempt 1 of a deliver_alert job for tenant's alert to sink,
// created age ago.
func deliverJob(tenantID int64, sink string, age time.Duration) *river.Job[jobs.DeliverAlertArgs] {
	a := alert.Alert{
		EventID: 42, EventIDs: []int64{42}, TenantID: tenantID, Tenant: "acme",
		State: alert.StateFiring, Kind: alert.KindIncidentOpened, Code: "ICD-102-B",
	}
	return &river.Job[jobs.DeliverAlertArgs]{
		JobRow: &rivertype.JobRow{ID: 1, Attempt: 1, State: rivertype.JobStateRunning, CreatedAt: time.Now().Add(-age)},
		Args:   jobs.NewDeliverAlertArgs(a, sink),
	}
}

// expectFailures checks how many alert_failed events the tenant has.
func (w *world) expectFailures(tenantID int64, want int) {
	w.t.Helper()
	var n int
	if err := w.pool.QueryRow(w.t.Context(), `SELECT count(*) FROM events WHERE tenant_id = $1 AND kind = $2`,
		tenantID, string(health.EventAlertFailed)).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	if n != want {
		w.t.Errorf("%d alert_failed events, want %d", n, want)
	}
}

// expectGiveUp works a delivery to sink that has been failing for longer
// than GiveUpAfter: its failure is recorded once and the job cancelled.
func (w *world) expectGiveUp(dw *jobs.DeliverWorker, tenantID int64, sink string) {
	w.t.Helper()
	err := dw.Work(w.t.Context(), deliverJob(tenantID, sink, giveUpAfter+time.Minute))
	if !errors.As(err, new(*rivertype.JobCancelError)) {
		w.t.Errorf("a delivery to %s failing past GiveUpAfter: %v, want it cancelled", sink, err)
	}
	w.expectFailures(tenantID, 1)
}

// TestDeliverToAnUnknownSinkRetries: replicas mid-deploy may disagree on
// the sinks, so a job for a sink this replica lacks is retried (another
// replica, or this one once configured alike, can deliver it) and fails for
// good only once delivery has been tried for GiveUpAfter.
func TestDeliverToAnUnknownSinkRetries(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	acme := w.addTenant("acme")
	sinks, err := alert.NewSinks([]alert.SinkConfig{{Name: "first", Type: alert.SinkLog}}, nil, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	dw := w.deliverWorker(sinks...)

	err = dw.Work(t.Context(), deliverJob(acme.ID, "pager", time.Minute))
	if err == nil || errors.As(err, new(*rivertype.JobCancelError)) || errors.As(err, new(*rivertype.JobSnoozeError)) {
		t.Errorf("a fresh job for an unknown sink: %v, want an error River retries", err)
	}
	w.expectFailures(acme.ID, 0)

	w.expectGiveUp(dw, acme.ID, "pager")
}

// TestDeliverHonoursRetryAfterUntilGiveUp: a receiver that keeps answering
// 429 with Retry-After is asked again after that long (a snooze, which uses
// no attempt), until the job is GiveUpAfter old; then the failure is
// recorded and the job cancelled, so a receiver that never relents cannot
// keep a delivery alive forever.
func TestDeliverHonoursRetryAfterUntilGiveUp(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	acme := w.addTenant("acme")
	busy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Retry-After", "7")
		rw.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(busy.Close)
	sinks, err := alert.NewSinks([]alert.SinkConfig{{Name: "hook", Type: alert.SinkWebhook, URL: busy.URL, Secret: secret.New("signing-key")}}, nil, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	dw := w.deliverWorker(sinks...)

	err = dw.Work(t.Context(), deliverJob(acme.ID, "hook", time.Minute))
	var snooze *rivertype.JobSnoozeError
	if !errors.As(err, &snooze) || snooze.Duration != 7*time.Second {
		t.Errorf("a fresh job the receiver asked to wait: %v, want a 7s snooze", err)
	}
	w.expectFailures(acme.ID, 0)

	w.expectGiveUp(dw, acme.ID, "hook")
}
