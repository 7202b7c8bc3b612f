package health

import "time"

// Capability is one thing the integration needs from Ironclad. Each capability
// has exactly one pair of codes (A and B) in the catalog.
type Capability string

// The capabilities, in the order of their codes.
const (
	CapabilityCredentials Capability = "credentials" // ICD-100: a token is issued
	CapabilityApplication Capability = "application" // ICD-101: the app may use client credentials and reach Ironclad as the acting user
	CapabilityUsers       Capability = "users"       // ICD-102
	CapabilityWorkflows   Capability = "workflows"   // ICD-103
	CapabilityRecords     Capability = "records"     // ICD-104
)

// Capabilities lists every capability in code order.
var Capabilities = []Capability{
	CapabilityCredentials, CapabilityApplication, CapabilityUsers, CapabilityWorkflows, CapabilityRecords,
}

// Scope is an Ironclad OAuth scope the integration asks for.
type Scope string

// The five integration scopes, spelled exactly as Ironclad spells them.
const (
	ScopeReadUsers        Scope = "scim.users.readUsers"
	ScopeReadWorkflows    Scope = "public.workflows.readWorkflows"
	ScopeReadParticipants Scope = "public.workflows.readParticipants"
	ScopeReadRecords      Scope = "public.records.readRecords"
	ScopeReadAttachments  Scope = "public.records.readAttachments"
)

// Scopes lists the five integration scopes in a stable order.
var Scopes = []Scope{
	ScopeReadUsers, ScopeReadWorkflows, ScopeReadParticipants, ScopeReadRecords, ScopeReadAttachments,
}

// ScopesOf returns the scopes that can satisfy a capability (any one of them
// granted and usable is enough). Credentials and application have none.
func ScopesOf(c Capability) []Scope {
	switch c {
	case CapabilityUsers:
		return []Scope{ScopeReadUsers}
	case CapabilityWorkflows:
		return []Scope{ScopeReadWorkflows, ScopeReadParticipants}
	case CapabilityRecords:
		return []Scope{ScopeReadRecords, ScopeReadAttachments}
	}
	return nil
}

// CapabilityOf returns the capability a scope serves.
func CapabilityOf(s Scope) Capability {
	switch s {
	case ScopeReadUsers:
		return CapabilityUsers
	case ScopeReadWorkflows, ScopeReadParticipants:
		return CapabilityWorkflows
	case ScopeReadRecords, ScopeReadAttachments:
		return CapabilityRecords
	}
	return ""
}

// Outcome is how conclusive one piece of evidence is.
type Outcome string

const (
	// OutcomeUnobserved means nothing was asked (for example no probe was
	// made because the scope is not granted). It is treated like inconclusive.
	OutcomeUnobserved Outcome = ""
	// OutcomeOK means the provider said yes.
	OutcomeOK Outcome = "ok"
	// OutcomeDenied means the provider said no, definitively (a 401/403 or an
	// OAuth error that names the problem).
	OutcomeDenied Outcome = "denied"
	// OutcomeInconclusive means we learned nothing: timeout, connection error,
	// 5xx, 429, a malformed or oversized body. Never evidence of revocation.
	OutcomeInconclusive Outcome = "inconclusive"
)

// Conclusive reports whether the outcome is OK or Denied.
func (o Outcome) Conclusive() bool { return o == OutcomeOK || o == OutcomeDenied }

// Evidence is what one HTTP exchange with Ironclad showed. It never holds a
// secret or a token.
type Evidence struct {
	Call       string        `json:"call"`                  // e.g. "POST /oauth/token" or "GET /scim/v2/Users"
	Scope      Scope         `json:"scope,omitempty"`       // the scope asked for or probed, if any
	Status     int           `json:"status,omitempty"`      // HTTP status; 0 when none was received
	OAuthError string        `json:"oauth_error,omitempty"` // RFC 6749 "error" field, e.g. "invalid_client"
	APIError   string        `json:"api_error,omitempty"`   // Public API "code" field, e.g. "FORBIDDEN"
	Message    string        `json:"message,omitempty"`     // provider's description or our transport error, secret-free, truncated
	RequestID  string        `json:"request_id,omitempty"`  // provider's request id header, if any
	Latency    time.Duration `json:"latency_ns"`
	Outcome    Outcome       `json:"outcome"`
	RetryAfter time.Duration `json:"retry_after_ns,omitempty"` // from a 429's Retry-After, if given
}

// ScopeObservation is what one check learned about one scope.
type ScopeObservation struct {
	// Granted: OK when a token carrying the scope was issued, Denied when
	// Ironclad definitively refused it (invalid_scope for that scope alone, or
	// a token issued without it), inconclusive/unobserved otherwise.
	Granted Outcome `json:"granted"`
	// Usable: the probe of the endpoint the scope guards, made as the acting
	// user. OK on success (or a 404 that proves authorization passed), Denied
	// on 401/403, inconclusive on faults, unobserved when not probed.
	Usable Outcome `json:"usable"`
}

// Observation is the evidence of one check of one tenant. It holds outcomes,
// not verdicts: Evaluate decides codes.
type Observation struct {
	// CheckID identifies the check; the store assigns it before Evaluate so
	// that incidents can name their first and last check.
	CheckID int64 `json:"check_id"`
	// ClientID is the Ironclad application (OAuth client id). Scope and
	// capability history is kept per client id.
	ClientID string `json:"client_id"`
	// Generation is the tenant's credential generation (client id + secret
	// version). Credential history is kept per generation.
	Generation int64 `json:"generation"`
	// ObservedAt is when the check ran.
	ObservedAt time.Time `json:"observed_at"`

	// Credentials: OK when Ironclad authenticated the client (a token was
	// issued, or it answered with a scope or grant error that comes after
	// client authentication); Denied on invalid_client.
	Credentials Outcome `json:"credentials"`
	// Grant: OK when a token was issued (the app may use the client
	// credentials grant); Denied on unauthorized_client.
	Grant Outcome `json:"grant"`
	// Scopes holds one entry per integration scope that was observed.
	Scopes map[Scope]ScopeObservation `json:"scopes"`

	// Evidence lists every exchange in the order made.
	Evidence []Evidence `json:"evidence"`
	// APICalls counts the HTTP requests the check made to Ironclad.
	APICalls int `json:"api_calls"`
}

// Kind says whether a code means never granted (A) or taken away (B).
type Kind string

const (
	KindA Kind = "A" // never granted, never worked: a setup mistake
	KindB Kind = "B" // worked before, now revoked, expired or removed
)

// Code is a troubleshooting code such as "ICD-102-B".
type Code string

// ScopeState is what the ledger believes about one scope of an application.
type ScopeState string

// The scope states. Only a confirmed loss makes a scope revoked: a granted
// scope seen missing stays granted, with ScopeRecord.Misses counting, until
// Policy.ConfirmAfter consecutive checks have seen it missing.
const (
	ScopeUnknown      ScopeState = "unknown"       // never conclusively observed
	ScopeNeverGranted ScopeState = "never_granted" // missing, and never seen granted for this application
	ScopeGranted      ScopeState = "granted"
	ScopeRevoked      ScopeState = "revoked" // was granted, now missing (confirmed)
)

// ScopeRecord is the history of one scope for the current application.
type ScopeRecord struct {
	State          ScopeState `json:"state"`
	FirstGrantedAt time.Time  `json:"first_granted_at,omitzero"`
	LastGrantedAt  time.Time  `json:"last_granted_at,omitzero"`
	LastMissingAt  time.Time  `json:"last_missing_at,omitzero"`
	// Misses counts consecutive definitive "missing" observations while the
	// scope is still Granted, i.e. a suspected revocation awaiting
	// confirmation. Zero otherwise.
	Misses int `json:"misses,omitempty"`
}

// CapabilityRecord is the history of one capability.
type CapabilityRecord struct {
	// EverSatisfied: the capability has held at least once (for the current
	// generation for credentials, for the current application otherwise).
	EverSatisfied    bool      `json:"ever_satisfied"`
	FirstSatisfiedAt time.Time `json:"first_satisfied_at,omitzero"`
	LastSatisfiedAt  time.Time `json:"last_satisfied_at,omitzero"`
	LastFailedAt     time.Time `json:"last_failed_at,omitzero"`
	// Failures counts consecutive definitive failures while a B code awaits
	// confirmation (the code is "suspected"). Zero otherwise.
	Failures int `json:"failures,omitempty"`
}

// Incident is one open problem of a tenant: at most one per code.
type Incident struct {
	Code         Code      `json:"code"`
	OpenedAt     time.Time `json:"opened_at"`
	LastSeenAt   time.Time `json:"last_seen_at"`
	Occurrences  int       `json:"occurrences"`
	FirstCheckID int64     `json:"first_check_id"`
	LastCheckID  int64     `json:"last_check_id"`
	Scopes       []Scope   `json:"scopes,omitempty"`   // scopes involved, if any
	Evidence     string    `json:"evidence,omitempty"` // short, secret-free summary
}

// Ledger is everything grantwatch remembers about one tenant between checks.
// The zero value is a tenant never checked.
type Ledger struct {
	ClientID     string                          `json:"client_id"`
	Generation   int64                           `json:"generation"`
	Scopes       map[Scope]ScopeRecord           `json:"scopes,omitempty"`
	Capabilities map[Capability]CapabilityRecord `json:"capabilities,omitempty"`
	Incidents    map[Code]Incident               `json:"incidents,omitempty"`
}

// EventKind names an entry of a tenant's append-only history.
type EventKind string

// The event kinds. Evaluate produces the first five; adapters (the store,
// the jobs) record the rest.
const (
	EventIncidentOpened   EventKind = "incident_opened"
	EventIncidentResolved EventKind = "incident_resolved"
	EventScopeGranted     EventKind = "scope_granted"
	EventScopeRevoked     EventKind = "scope_revoked"
	// EventSuspected is recorded when a B code first awaits confirmation.
	EventSuspected EventKind = "suspected"
	// The following are produced by adapters, not by Evaluate.
	EventCheckRecorded      EventKind = "check_recorded"
	EventCredentialsRotated EventKind = "credentials_rotated"
	EventTenantCreated      EventKind = "tenant_created"
	EventTenantPaused       EventKind = "tenant_paused"
	EventTenantResumed      EventKind = "tenant_resumed"
	EventTenantRemoved      EventKind = "tenant_removed"
	EventAlertDelivered     EventKind = "alert_delivered"
	EventAlertFailed        EventKind = "alert_failed"
)

// Severity grades an event for alerting.
type Severity string

// The severities, mildest first: info for what needs no action, warning for
// what needs attention but breaks nothing that worked (a setup mistake, a
// loss its capability survives, an undelivered alert), critical for a loss
// that breaks the integration (a B code).
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityCritical Severity = "critical"
)

// Event is one thing that happened to a tenant. Evaluate returns events in a
// deterministic order; the store gives them ids.
type Event struct {
	Kind       EventKind  `json:"kind"`
	At         time.Time  `json:"at"`
	Code       Code       `json:"code,omitempty"`
	Capability Capability `json:"capability,omitempty"`
	Scopes     []Scope    `json:"scopes,omitempty"`
	Severity   Severity   `json:"severity"`
	CheckID    int64      `json:"check_id,omitempty"`
	Detail     string     `json:"detail,omitempty"`
}

// Conclusive reports whether the check learned anything: Ironclad answered
// the token request definitively.
func (o Observation) Conclusive() bool { return o.Credentials.Conclusive() }

// RateLimited reports whether any exchange of the check was answered 429, and
// the longest Retry-After given (zero when none was).
func (o Observation) RateLimited() (retryAfter time.Duration, limited bool) {
	for _, e := range o.Evidence {
		if e.Status == 429 {
			limited = true
			retryAfter = max(retryAfter, e.RetryAfter)
		}
	}
	return retryAfter, limited
}
