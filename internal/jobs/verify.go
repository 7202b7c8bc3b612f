package jobs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironclad"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// Checker asks Ironclad about one connection. *ironclad.Client implements it.
type Checker interface {
	Check(ctx context.Context, conn ironclad.Connection) (health.Observation, error)
}

var _ Checker = (*ironclad.Client)(nil)

// Errors a verification can end with that are not about Ironclad.
var (
	// ErrTenantGone: the tenant was removed, before or while it was
	// checked (Verify reports the store's postgres.ErrTenantGone as this);
	// its jobs end without retry.
	ErrTenantGone = errors.New("tenant removed")
	// ErrTenantPaused: the tenant is paused; scheduled checks skip it.
	ErrTenantPaused = errors.New("tenant paused")
)

// Verifier runs one check of one tenant end to end: load, unseal, ask
// Ironclad, and apply the observation with its alerts in one transaction.
type Verifier struct {
	Store   *postgres.Store
	Keyring *secret.Keyring
	Checker Checker
	// Alerts decides which events alert; Sinks are the names of the
	// configured sinks (one deliver_alert job per alert and sink).
	Alerts alert.Policy
	Sinks  []string
	// Insert enqueues alert jobs inside the apply transaction.
	Insert Inserter
	// Metrics, if not nil, count checks, Ironclad calls, incidents and alerts.
	Metrics *Metrics
	Log     zerolog.Logger
}

// Result is what one verification produced.
type Result struct {
	Tenant      postgres.Tenant
	Observation health.Observation
	Applied     postgres.Applied
	Alerts      []alert.Alert
}

// VerifyOptions tune one verification.
type VerifyOptions struct {
	// AllowPaused checks a paused tenant anyway (an operator's `worker check`).
	AllowPaused bool
	// InTx runs inside the apply transaction after the alerts are enqueued,
	// with the result so far; the verify job completes itself there.
	InTx func(ctx context.Context, tx pgx.Tx, r *Result) error
}

// Verify checks one tenant now.
func (v *Verifier) Verify(ctx context.Context, tenantID int64, opts VerifyOptions) (Result, error) {
	var res Result
	t, err := v.Store.Tenant(ctx, tenantID)
	switch {
	case errors.Is(err, postgres.ErrNotFound), err == nil && t.RemovedAt != nil:
		return res, fmt.Errorf("tenant %d: %w", tenantID, ErrTenantGone)
	case err != nil:
		return res, fmt.Errorf("loading tenant %d: %w", tenantID, err)
	case t.Paused && !opts.AllowPaused:
		return res, fmt.Errorf("tenant %s: %w", t.ExternalID, ErrTenantPaused)
	}
	res.Tenant = t

	sec, err := v.Keyring.Unseal(t.Secret, SecretAAD(t.ExternalID))
	if err != nil {
		return res, fmt.Errorf("unsealing the client secret of tenant %s: %w", t.ExternalID, err)
	}
	began := time.Now()
	obs, err := v.Checker.Check(ctx, ironclad.Connection{
		ClientID:        t.ClientID,
		ClientSecret:    sec,
		Region:          t.Region,
		BaseURL:         t.BaseURL,
		ActingUserEmail: t.ActingUserEmail,
		Generation:      t.Generation,
	})
	if err != nil {
		v.Metrics.observeCheck("error", time.Since(began), obs)
		return res, fmt.Errorf("checking tenant %s: %w", t.ExternalID, err)
	}
	res.Observation = obs

	applied, err := v.Store.ApplyObservation(ctx, tenantID, obs, func(ctx context.Context, tx pgx.Tx, a postgres.Applied) error {
		res.Applied = a
		events, err := v.alertEvents(ctx, tx, t, a.Events)
		if err != nil {
			return err
		}
		res.Alerts = v.Alerts.Plan(events)
		for _, al := range res.Alerts {
			for _, sink := range v.Sinks {
				if _, err := v.Insert.InsertTx(ctx, tx, NewDeliverAlertArgs(al, sink), nil); err != nil {
					return fmt.Errorf("enqueueing alert for event %d to sink %s: %w", al.EventID, sink, err)
				}
			}
		}
		if opts.InTx != nil {
			return opts.InTx(ctx, tx, &res)
		}
		return nil
	})
	if errors.Is(err, postgres.ErrTenantGone) {
		return res, fmt.Errorf("tenant %s: %w", t.ExternalID, ErrTenantGone)
	}
	if err != nil {
		return res, fmt.Errorf("recording the check of tenant %s: %w", t.ExternalID, err)
	}
	res.Applied = applied
	v.Metrics.observeCheck(checkResult(res), time.Since(began), obs)
	v.Metrics.observeEvents(applied.Events, len(res.Alerts)*len(v.Sinks))
	v.Log.Info().
		Int64("tenant_id", t.ID).Str("tenant", t.ExternalID).Int64("check_id", applied.CheckID).
		Bool("conclusive", obs.Conclusive()).Bool("dropped", applied.Dropped).
		Strs("open", codeStrings(applied.Ledger.OpenCodes())).Int("api_calls", obs.APICalls).
		Int("alerts", len(res.Alerts)).Msg("tenant verified")
	return res, nil
}

// SecretAAD binds a sealed client secret to its tenant, so a sealed value
// copied onto another tenant's row does not unseal.
func SecretAAD(externalID string) []byte { return []byte("grantwatch/tenant/" + externalID) }

// alertEvents turns a check's stored events into what the alert policy
// reads, each with its incident's opening time and evidence. They are read
// from the incidents table in tx, not from the ledger: a resolution has
// already left the ledger.
func (v *Verifier) alertEvents(ctx context.Context, tx pgx.Tx, t postgres.Tenant, events []postgres.StoredEvent) ([]alert.Event, error) {
	var ids []int64
	for _, e := range events {
		if e.IncidentID != 0 {
			ids = append(ids, e.IncidentID)
		}
	}
	incidents, err := v.Store.IncidentsByID(ctx, tx, ids)
	if err != nil {
		return nil, fmt.Errorf("reading the incidents of tenant %s's events: %w", t.ExternalID, err)
	}
	byID := make(map[int64]postgres.IncidentRecord, len(incidents))
	for _, inc := range incidents {
		byID[inc.ID] = inc
	}
	out := make([]alert.Event, 0, len(events))
	for _, e := range events {
		inc := byID[e.IncidentID]
		out = append(out, alert.Event{
			ID: e.ID, TenantID: t.ID, Tenant: t.ExternalID, TenantName: t.Name,
			IncidentID: e.IncidentID, OpenedAt: inc.OpenedAt, Evidence: inc.Evidence, Event: e.Event,
		})
	}
	return out, nil
}

func codeStrings(codes []health.Code) []string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return s
}

// jittered returns d moved by a random amount of up to ±frac of itself.
func jittered(d time.Duration, frac float64) time.Duration {
	return d + time.Duration((rand.Float64()*2-1)*frac*float64(d))
}

// checkResult names a check's outcome for the checks metric.
func checkResult(r Result) string {
	switch _, limited := r.Observation.RateLimited(); {
	case r.Applied.Dropped:
		return "dropped"
	case r.Observation.Conclusive():
		return "conclusive"
	case limited:
		return "rate_limited"
	}
	return "inconclusive"
}
