package health

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// This file is a small language for transcript tests: a tenant's story is a
// list of steps, each one observation and what must be true after it.

// defaultClient and defaultGeneration key every observation unless a step
// overrides them.
const (
	defaultClient     = "client-1"
	defaultGeneration = 1
)

// checkInterval separates the checks of a transcript.
const checkInterval = 2 * time.Minute

// checkTime is when check n (from 1) of a transcript runs.
func checkTime(n int64) time.Time {
	return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(n-1) * checkInterval)
}

// probeCall names the endpoint that probes a scope, for evidence.
func probeCall(s Scope) string {
	switch s {
	case ScopeReadUsers:
		return "GET /scim/v2/Users"
	case ScopeReadWorkflows:
		return "GET /public/api/v1/workflows"
	case ScopeReadParticipants:
		return "GET /public/api/v1/workflows/{id}/participants"
	case ScopeReadRecords:
		return "GET /public/api/v1/records"
	}
	return "GET /public/api/v1/records/{id}/attachments/{key}"
}

// obs is an observation under construction. Its methods return modified
// copies, so that steps can share a base without sharing maps.
type obs struct{ o Observation }

// healthy is a check in which everything works: all five scopes granted
// and every probe answered.
func healthy() obs {
	o := Observation{
		ClientID:    defaultClient,
		Generation:  defaultGeneration,
		Credentials: OutcomeOK,
		Grant:       OutcomeOK,
		Scopes:      map[Scope]ScopeObservation{},
	}
	for _, s := range Scopes {
		o.Scopes[s] = ScopeObservation{Granted: OutcomeOK, Usable: OutcomeOK}
	}
	return obs{o}
}

// credsDenied is Ironclad answering the token request with invalid_client.
func credsDenied() obs {
	return obs{Observation{ClientID: defaultClient, Generation: defaultGeneration, Credentials: OutcomeDenied}}
}

// grantDenied is Ironclad answering the token request with
// unauthorized_client: the client authenticated but may not use the grant.
func grantDenied() obs {
	return obs{Observation{ClientID: defaultClient, Generation: defaultGeneration, Credentials: OutcomeOK, Grant: OutcomeDenied}}
}

// grantUnanswered is a check in which the client authenticated but the
// token request's answer said nothing definitive about the grant.
func grantUnanswered() obs {
	return obs{Observation{ClientID: defaultClient, Generation: defaultGeneration, Credentials: OutcomeOK, Grant: OutcomeInconclusive}}
}

// inconclusive is a check whose token request was not answered.
func inconclusive() obs {
	return obs{Observation{ClientID: defaultClient, Generation: defaultGeneration, Credentials: OutcomeInconclusive}}
}

// missing is a healthy check except that the scopes are not granted.
func missing(scopes ...Scope) obs { return healthy().missing(scopes...) }

// actingUserDenied is a check in which every scope is granted and every
// probe refused: the acting user is gone or lacks permission.
func actingUserDenied() obs { return healthy().unusable(Scopes...) }

// with returns a copy with f applied to each of the scopes' observations.
func (b obs) with(f func(*ScopeObservation), scopes ...Scope) obs {
	o := b.o
	o.Scopes = maps.Clone(o.Scopes)
	for _, s := range scopes {
		so := o.Scopes[s]
		f(&so)
		o.Scopes[s] = so
	}
	return obs{o}
}

// missing makes the scopes definitively not granted (and so not probed).
func (b obs) missing(scopes ...Scope) obs {
	return b.with(func(so *ScopeObservation) { *so = ScopeObservation{Granted: OutcomeDenied} }, scopes...)
}

// unusable makes the scopes granted but their probes refused.
func (b obs) unusable(scopes ...Scope) obs {
	return b.with(func(so *ScopeObservation) { *so = ScopeObservation{Granted: OutcomeOK, Usable: OutcomeDenied} }, scopes...)
}

// probeFault makes the scopes granted but their probes unanswered (a 5xx).
func (b obs) probeFault(scopes ...Scope) obs {
	return b.with(func(so *ScopeObservation) { *so = ScopeObservation{Granted: OutcomeOK, Usable: OutcomeInconclusive} }, scopes...)
}

// grantFault makes the scopes' token requests unanswered, so nothing is
// known about them.
func (b obs) grantFault(scopes ...Scope) obs {
	return b.with(func(so *ScopeObservation) { *so = ScopeObservation{Granted: OutcomeInconclusive} }, scopes...)
}

// client sets the observed application.
func (b obs) client(id string) obs { b.o.ClientID = id; return b }

// gen sets the observed credential generation.
func (b obs) gen(g int64) obs { b.o.Generation = g; return b }

// observation finishes the observation as the Ironclad client would: it
// stamps the check and adds the evidence its outcomes imply.
func (b obs) observation(checkID int64, at time.Time) Observation {
	o := b.o
	o.CheckID, o.ObservedAt = checkID, at
	o.Evidence = nil
	token := Evidence{Call: "POST /oauth/token", Status: 200, Outcome: OutcomeOK}
	switch {
	case o.Credentials == OutcomeDenied:
		token.Status, token.OAuthError, token.Outcome = 401, "invalid_client", OutcomeDenied
	case !o.Credentials.Conclusive():
		token.Status, token.Outcome = 503, o.Credentials
	case o.Grant == OutcomeDenied:
		token.Status, token.OAuthError, token.Outcome = 403, "unauthorized_client", OutcomeDenied
	case !o.Grant.Conclusive():
		token.Status, token.Outcome = 500, OutcomeInconclusive
	}
	o.Evidence = append(o.Evidence, token)
	for _, s := range Scopes {
		so := o.Scopes[s]
		if so.Granted == OutcomeDenied {
			o.Evidence = append(o.Evidence, Evidence{Call: "POST /oauth/token", Scope: s, Status: 400, OAuthError: "invalid_scope", Outcome: OutcomeDenied})
		}
		probe := Evidence{Call: probeCall(s), Scope: s, Outcome: so.Usable}
		switch so.Usable {
		case OutcomeOK:
			probe.Status = 200
		case OutcomeDenied:
			probe.Status, probe.APIError = 403, "FORBIDDEN"
		case OutcomeInconclusive:
			probe.Status = 502
		default:
			continue
		}
		o.Evidence = append(o.Evidence, probe)
	}
	o.APICalls = len(o.Evidence)
	return o
}

// scopeStates is the expected state of every scope.
type scopeStates map[Scope]ScopeState

// all expects every scope in state s.
func all(s ScopeState) scopeStates {
	m := scopeStates{}
	for _, sc := range Scopes {
		m[sc] = s
	}
	return m
}

// with returns a copy that expects the scopes in state s.
func (m scopeStates) with(s ScopeState, scopes ...Scope) scopeStates {
	m = maps.Clone(m)
	for _, sc := range scopes {
		m[sc] = s
	}
	return m
}

// step is one check of a transcript and what must hold after it.
type step struct {
	name string
	obs  obs
	// events, rendered by render, in order. Nil expects none.
	events []string
	// open and suspected codes after the step, in order.
	open, suspected []Code
	// scopes after the step; nil skips the check.
	scopes scopeStates
	// check, when set, makes further assertions on the step's result.
	check func(t *testing.T, before, after Ledger, events []Event)
}

// render writes an event as "kind [code] [scope,scope] severity", the form
// transcripts expect events in.
func render(e Event) string {
	parts := []string{string(e.Kind)}
	if e.Code != "" {
		parts = append(parts, string(e.Code))
	}
	if len(e.Scopes) > 0 {
		var names []string
		for _, s := range e.Scopes {
			names = append(names, string(s))
		}
		parts = append(parts, strings.Join(names, ","))
	}
	return strings.Join(append(parts, string(e.Severity)), " ")
}

// run plays the steps from a fresh ledger under policy p, checking after
// each step what it expects plus what must always hold: the input ledger
// is not modified, events carry the check's time and id, and the ledger's
// invariants hold. It returns the final ledger.
func run(t *testing.T, p Policy, steps []step) Ledger {
	t.Helper()
	var l Ledger
	for i, s := range steps {
		checkID := int64(i + 1)
		now := checkTime(checkID)
		o := s.obs.observation(checkID, now)
		label := fmt.Sprintf("step %d (%s)", checkID, s.name)

		before, frozen := l.Clone(), snapshot(t, l)
		next, events := p.Evaluate(l, o, now)
		if !reflect.DeepEqual(l, before) || snapshot(t, l) != frozen {
			t.Fatalf("%s: Evaluate modified its input ledger:\n before %s\n after  %s", label, frozen, snapshot(t, l))
		}

		var got []string
		for _, e := range events {
			got = append(got, render(e))
			if !e.At.Equal(now) || e.CheckID != checkID {
				t.Errorf("%s: event %s at %v check %d, want at %v check %d", label, render(e), e.At, e.CheckID, now, checkID)
			}
			if e.Capability == "" || (e.Code != "" && e.Code.Capability() != e.Capability) {
				t.Errorf("%s: event %s has capability %q", label, render(e), e.Capability)
			}
		}
		if !slices.Equal(got, s.events) {
			t.Errorf("%s: events\n got  %q\n want %q", label, got, s.events)
		}
		if got := next.OpenCodes(); !slices.Equal(got, s.open) {
			t.Errorf("%s: open codes = %v, want %v", label, got, s.open)
		}
		if got := next.Suspected(); !slices.Equal(got, s.suspected) {
			t.Errorf("%s: suspected codes = %v, want %v", label, got, s.suspected)
		}
		if s.scopes != nil {
			if got := next.ScopeStates(); !maps.Equal(got, map[Scope]ScopeState(s.scopes)) {
				t.Errorf("%s: scope states\n got  %v\n want %v", label, got, s.scopes)
			}
		}
		if err := checkInvariants(next); err != nil {
			t.Errorf("%s: %v", label, err)
		}
		if s.check != nil {
			s.check(t, l, next, events)
		}
		if t.Failed() {
			t.FailNow() // later steps would only repeat the first difference
		}
		l = next
	}
	return l
}

// snapshot renders a ledger as JSON. Unlike a Clone it shares no memory
// with the ledger, so comparing snapshots also catches a write through a
// slice that a shallow copy would share.
func snapshot(t *testing.T, l Ledger) string {
	t.Helper()
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatalf("encoding ledger: %v", err)
	}
	return string(b)
}

// checkInvariants returns what is wrong with a ledger Evaluate produced, or
// nil: every rule here holds after any sequence of observations.
func checkInvariants(l Ledger) error {
	var errs []string
	for code, inc := range l.Incidents {
		switch {
		case code != inc.Code || !code.Valid():
			errs = append(errs, fmt.Sprintf("incident %q filed under %q", inc.Code, code))
		case inc.Occurrences < 1 || inc.LastSeenAt.Before(inc.OpenedAt) || inc.LastCheckID < inc.FirstCheckID:
			errs = append(errs, fmt.Sprintf("incident %s inconsistent: %+v", code, inc))
		}
	}
	for _, c := range Capabilities {
		_, openA := l.Incidents[CodeFor(c, KindA)]
		_, openB := l.Incidents[CodeFor(c, KindB)]
		rec := l.Capabilities[c]
		switch {
		case openA && openB:
			errs = append(errs, fmt.Sprintf("%s has both its A and its B code open", c))
		case rec.Failures > 0 && (openA || openB):
			errs = append(errs, fmt.Sprintf("%s awaits confirmation (%d failures) with an incident open", c, rec.Failures))
		case rec.Failures > 0 && !rec.EverSatisfied:
			errs = append(errs, fmt.Sprintf("%s awaits confirmation of a loss but never held", c))
		case openA && rec.EverSatisfied:
			errs = append(errs, fmt.Sprintf("%s has its A code open but has held", c))
		}
	}
	for s, rec := range l.Scopes {
		if !slices.Contains(Scopes, s) || rec.State == "" || rec.Misses < 0 || (rec.Misses > 0 && rec.State != ScopeGranted) {
			errs = append(errs, fmt.Sprintf("scope %s inconsistent: %+v", s, rec))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	slices.Sort(errs)
	return fmt.Errorf("ledger invariants broken: %s", strings.Join(errs, "; "))
}

// Shorthands for expected events.

func opened(code Code, scopes ...Scope) string {
	return render(Event{Kind: EventIncidentOpened, Code: code, Scopes: scopes, Severity: severityOf(code)})
}

func resolved(code Code, scopes ...Scope) string {
	return render(Event{Kind: EventIncidentResolved, Code: code, Scopes: scopes, Severity: severityOf(code)})
}

func suspected(code Code, scopes ...Scope) string {
	return render(Event{Kind: EventSuspected, Code: code, Scopes: scopes, Severity: SeverityInfo})
}

func granted(scopes ...Scope) []string {
	var out []string
	for _, s := range scopes {
		out = append(out, render(Event{Kind: EventScopeGranted, Scopes: []Scope{s}, Severity: SeverityInfo}))
	}
	return out
}

func revoked(sev Severity, s Scope) string {
	return render(Event{Kind: EventScopeRevoked, Scopes: []Scope{s}, Severity: sev})
}

// events joins event expectations given singly or in groups.
func events(groups ...any) []string {
	var out []string
	for _, g := range groups {
		switch g := g.(type) {
		case string:
			out = append(out, g)
		case []string:
			out = append(out, g...)
		default:
			panic(fmt.Sprintf("events: unexpected %T", g))
		}
	}
	return out
}

// codes is a shorthand for a list of codes.
func codes(c ...Code) []Code { return c }
