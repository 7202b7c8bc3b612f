package alert

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

// Policy decides which events alert and what the alerts say. The zero value
// is the default policy: B incidents and revoked scopes alert, A incidents
// are only recorded, and there are no reminders.
type Policy struct {
	// AlertOnA makes A incidents (setup mistakes) alert too, with severity
	// warning, when they open and when they resolve.
	AlertOnA bool
	// RemindEvery repeats a B incident still open at this interval; zero
	// turns reminders off.
	RemindEvery time.Duration
	// PublicURL is the API's base URL, used for the link in each alert; empty
	// leaves alerts without a link.
	PublicURL string
}

// Plan returns the alerts a batch of events warrants, ordered by their
// primary event id. Events are usually those of one check, but any batch
// works: grouping only ever joins events of the same tenant and check.
//
// B incidents alert when they open (critical, firing) and when they resolve
// (critical, resolved). A incidents alert only under AlertOnA (warning). A
// revoked scope alerts with severity warning, unless an incident opened by
// the same check covers that scope: then the revocation is the incident's
// cause and is folded into the incident's alert, so one change makes one
// alert. Every other kind of event (suspected, scope granted, …) is history
// only.
func (p Policy) Plan(events []Event) []Alert {
	sorted := slices.SortedFunc(slices.Values(events), func(a, b Event) int { return cmp.Compare(a.ID, b.ID) })

	var alerts []Alert
	var revocations []Event
	for _, e := range sorted {
		switch e.Kind {
		case health.EventIncidentOpened:
			if a, ok := p.incidentAlert(e, StateFiring, KindIncidentOpened); ok {
				alerts = append(alerts, a)
			}
		case health.EventIncidentResolved:
			if a, ok := p.incidentAlert(e, StateResolved, KindIncidentResolved); ok {
				alerts = append(alerts, a)
			}
		case health.EventScopeRevoked:
			// Revocations are placed after every incident of the batch is
			// known, whatever order the ids came in.
			revocations = append(revocations, e)
		}
	}

	for _, e := range revocations {
		if i := causedIncident(alerts, e); i >= 0 {
			fold(&alerts[i], e)
			continue
		}
		alerts = append(alerts, p.scopeAlert(e))
	}
	slices.SortFunc(alerts, func(a, b Alert) int { return cmp.Compare(a.EventID, b.EventID) })
	return alerts
}

// causedIncident returns the index of the firing incident alert that a scope
// revocation caused (same tenant and check, its scopes all among the
// incident's), or -1. Only incident openings qualify, so a revocation never
// folds into another revocation's warning.
func causedIncident(alerts []Alert, rev Event) int {
	if rev.CheckID == 0 || len(rev.Scopes) == 0 {
		return -1
	}
	for i, a := range alerts {
		if a.Kind != KindIncidentOpened || a.TenantID != rev.TenantID || a.CheckID != rev.CheckID {
			continue
		}
		if isSubset(rev.Scopes, a.Scopes) {
			return i
		}
	}
	return -1
}

// fold adds a revocation to the incident alert it caused.
func fold(a *Alert, rev Event) {
	a.EventIDs = append(a.EventIDs, rev.ID)
	slices.Sort(a.EventIDs)
}

// isSubset reports whether every scope of sub is in of.
func isSubset(sub, of []health.Scope) bool {
	for _, s := range sub {
		if !slices.Contains(of, s) {
			return false
		}
	}
	return true
}

// incidentAlert builds the alert for an incident event, and false when the
// policy keeps it silent.
func (p Policy) incidentAlert(e Event, state State, kind Kind) (Alert, bool) {
	info, known := health.Lookup(e.Code)
	severity := health.SeverityCritical
	switch e.Code.Kind() {
	case health.KindB:
	case health.KindA:
		if !p.AlertOnA {
			return Alert{}, false
		}
		severity = health.SeverityWarning
	default:
		// A code the catalog does not know cannot come from Evaluate; alert
		// on it as a warning rather than drop what may be a real problem.
		severity = health.SeverityWarning
	}

	a := p.base(e)
	a.IncidentID = e.IncidentID
	a.Code = e.Code
	a.Capability = cmp.Or(info.Capability, e.Capability)
	a.Severity = severity
	a.State = state
	a.Kind = kind
	a.Title = cmp.Or(info.Title, string(e.Code))
	a.Message = info.Message
	a.Remedy = info.Remedy
	// The event names the scopes actually involved; the catalog's are the
	// capability's, a fair answer when the event names none.
	a.Scopes = slices.Clone(e.Scopes)
	if len(a.Scopes) == 0 {
		a.Scopes = info.Scopes
	}
	a.OpenedAt = e.openedAt()
	if state == StateResolved {
		at := e.At
		a.ResolvedAt = &at
	}
	if !known {
		a.Message = fmt.Sprintf("grantwatch reported %s, a code its catalog does not describe.", e.Code)
	}
	return a, true
}

// scopeAlert builds the warning for a revoked scope whose capability still
// holds through another scope.
func (p Policy) scopeAlert(e Event) Alert {
	capability := e.Capability
	if capability == "" && len(e.Scopes) > 0 {
		capability = health.CapabilityOf(e.Scopes[0])
	}
	// The capability's B code describes the loss; its remedy restores the
	// scope just as well when only part of the capability is gone.
	info, _ := health.Lookup(health.CodeFor(capability, health.KindB))

	a := p.base(e)
	a.Capability = capability
	a.Severity = health.SeverityWarning
	a.State = StateFiring
	a.Kind = KindScopeRevoked
	a.Scopes = slices.Clone(e.Scopes)
	a.Title = scopeTitle(e.Scopes, capability)
	a.Message = scopeMessage(e.Scopes, capability)
	a.Remedy = info.Remedy
	return a
}

// scopeTitle says which scopes went and that the capability is still there,
// e.g. "Scope public.workflows.readWorkflows revoked (workflows still available)".
func scopeTitle(scopes []health.Scope, capability health.Capability) string {
	noun := "Scope"
	if len(scopes) > 1 {
		noun = "Scopes"
	}
	return fmt.Sprintf("%s %s revoked (%s still available)", noun, joinScopes(scopes), capability)
}

// scopeMessage explains a scope-only warning in full sentences.
func scopeMessage(scopes []health.Scope, capability health.Capability) string {
	verb := "was"
	if len(scopes) > 1 {
		verb = "were"
	}
	return fmt.Sprintf("The Ironclad application no longer grants %s, which %s granted before. "+
		"The integration can still access %s through another scope, so nothing fails yet, "+
		"but permissions were taken away in Ironclad.", joinScopes(scopes), verb, capability)
}

// joinScopes lists scopes as "a", "a and b" or "a, b and c".
func joinScopes(scopes []health.Scope) string {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// base fills what every alert of an event shares.
func (p Policy) base(e Event) Alert {
	return Alert{
		EventID:    e.ID,
		EventIDs:   []int64{e.ID},
		TenantID:   e.TenantID,
		Tenant:     e.Tenant,
		TenantName: e.TenantName,
		CheckID:    e.CheckID,
		Evidence:   e.evidence(),
		OccurredAt: e.At,
		Link:       p.link(e.Tenant),
	}
}

// link points at the tenant's incidents in the operator API.
func (p Policy) link(tenant string) string {
	if p.PublicURL == "" || tenant == "" {
		return ""
	}
	return strings.TrimRight(p.PublicURL, "/") + "/v1/tenants/" + url.PathEscape(tenant) + "/incidents"
}
