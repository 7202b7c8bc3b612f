package alert

import (
	"context"

	"github.com/rs/zerolog"
)

// logSink writes each alert as one structured log line: warn while firing,
// info when resolved (and for tests, which need no attention).
type logSink struct {
	name string
	log  zerolog.Logger
}

// Name returns the sink's name.
func (s *logSink) Name() string { return s.name }

// Send logs the alert; it cannot fail.
func (s *logSink) Send(_ context.Context, a Alert) error {
	ev := s.log.Info()
	if a.Firing() && !a.Test {
		ev = s.log.Warn()
	}
	scopes := make([]string, len(a.Scopes))
	for i, sc := range a.Scopes {
		scopes[i] = string(sc)
	}
	ev = ev.Str("sink", s.name).
		Str("idempotency_key", a.IdempotencyKey()).
		Int64("event_id", a.EventID).
		Ints64("event_ids", a.EventIDs).
		Int64("tenant_id", a.TenantID).
		Str("tenant", a.Tenant).
		Str("tenant_name", a.TenantName).
		Str("code", string(a.Code)).
		Str("capability", string(a.Capability)).
		Str("severity", string(a.Severity)).
		Str("state", string(a.State)).
		Str("kind", string(a.Kind)).
		Strs("scopes", scopes).
		Str("message", a.Message).
		Strs("remedy", a.Remedy).
		Str("evidence", a.Evidence).
		Time("occurred_at", a.OccurredAt)
	if a.IncidentID != 0 {
		ev = ev.Int64("incident_id", a.IncidentID)
	}
	if a.CheckID != 0 {
		ev = ev.Int64("check_id", a.CheckID)
	}
	if a.Reminder > 0 {
		ev = ev.Int("reminder", a.Reminder)
	}
	if !a.OpenedAt.IsZero() {
		ev = ev.Time("opened_at", a.OpenedAt)
	}
	if a.ResolvedAt != nil {
		ev = ev.Time("resolved_at", *a.ResolvedAt)
	}
	if a.Link != "" {
		ev = ev.Str("link", a.Link)
	}
	ev.Msg("alert " + string(a.State) + ": " + a.Title)
	return nil
}
