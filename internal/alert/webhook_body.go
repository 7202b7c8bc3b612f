package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

// webhookVersion is the version of the webhook payload's shape. It changes
// only when a field changes meaning or goes away; added fields keep it.
const webhookVersion = 1

// webhookPayload is the JSON a webhook receiver gets. It is its own type,
// not Alert's JSON form, so that the wire format stays stable for receivers
// whatever happens to Alert.
type webhookPayload struct {
	Version        int               `json:"version"`
	IdempotencyKey string            `json:"idempotency_key"`
	EventID        int64             `json:"event_id"`
	EventIDs       []int64           `json:"event_ids"`
	Reminder       int               `json:"reminder,omitempty"`
	Test           bool              `json:"test"`
	State          State             `json:"state"`
	Kind           Kind              `json:"kind"`
	Severity       health.Severity   `json:"severity"`
	Tenant         webhookTenant     `json:"tenant,omitzero"`
	IncidentID     int64             `json:"incident_id,omitempty"`
	CheckID        int64             `json:"check_id,omitempty"`
	Code           health.Code       `json:"code,omitempty"`
	Capability     health.Capability `json:"capability,omitempty"`
	Title          string            `json:"title"`
	Message        string            `json:"message"`
	Remedy         []string          `json:"remedy"`
	Scopes         []health.Scope    `json:"scopes"`
	Evidence       string            `json:"evidence,omitempty"`
	OccurredAt     time.Time         `json:"occurred_at"`
	OpenedAt       *time.Time        `json:"opened_at,omitempty"`
	ResolvedAt     *time.Time        `json:"resolved_at,omitempty"`
	Link           string            `json:"link,omitempty"`
}

// webhookTenant identifies the tenant by its external id, the one the
// product that connected it knows.
type webhookTenant struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// WebhookBody returns the JSON body posted to webhook sinks. Lists are
// always present (possibly empty) and times are UTC, so receivers can rely on
// the shape.
func WebhookBody(a Alert) ([]byte, error) {
	p := webhookPayload{
		Version:        webhookVersion,
		IdempotencyKey: a.IdempotencyKey(),
		EventID:        a.EventID,
		EventIDs:       nonNil(a.EventIDs),
		Reminder:       a.Reminder,
		Test:           a.Test,
		State:          a.State,
		Kind:           a.Kind,
		Severity:       a.Severity,
		Tenant:         webhookTenant{ID: a.Tenant, Name: a.TenantName},
		IncidentID:     a.IncidentID,
		CheckID:        a.CheckID,
		Code:           a.Code,
		Capability:     a.Capability,
		Title:          a.Title,
		Message:        a.Message,
		Remedy:         nonNil(a.Remedy),
		Scopes:         nonNil(a.Scopes),
		Evidence:       a.Evidence,
		OccurredAt:     a.OccurredAt.UTC(),
		Link:           a.Link,
	}
	if !a.OpenedAt.IsZero() {
		t := a.OpenedAt.UTC()
		p.OpenedAt = &t
	}
	if a.ResolvedAt != nil {
		t := a.ResolvedAt.UTC()
		p.ResolvedAt = &t
	}
	body, err := marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding webhook body for event %d: %w", a.EventID, err)
	}
	return body, nil
}

// marshal encodes v as compact JSON without escaping <, > and &, which
// need no escaping outside HTML and would only make bodies harder to read.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// nonNil turns a nil slice into an empty one, so that JSON shows [] rather
// than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
