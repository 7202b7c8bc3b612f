package health

import (
	"slices"
	"time"
)

// Policy tunes how Evaluate confirms losses.
type Policy struct {
	// ConfirmAfter is how many consecutive definitive observations confirm
	// the loss of something that worked before: a scope becomes revoked and
	// a B code opens on the ConfirmAfter-th. Values up to 1 confirm at once.
	// A codes never wait: they are setup feedback, not alarms.
	ConfirmAfter int
}

// DefaultPolicy confirms a loss on the second consecutive definitive
// observation, so one slow or flaky answer never raises an alarm.
func DefaultPolicy() Policy { return Policy{ConfirmAfter: 2} }

// confirmAfter returns ConfirmAfter, at least 1.
func (p Policy) confirmAfter() int { return max(p.ConfirmAfter, 1) }

// Evaluate applies one observation to a ledger with DefaultPolicy.
func Evaluate(l Ledger, o Observation, now time.Time) (Ledger, []Event) {
	return DefaultPolicy().Evaluate(l, o, now)
}

// Evaluate applies one observation to a tenant's ledger and returns the new
// ledger and what happened, in a deterministic order: capabilities in code
// order and, within one, resolved incidents, scope events (in Scopes order),
// a suspicion, then an opened incident. The input ledger is not modified.
//
// An observation whose credentials are not conclusive changes nothing and
// produces no events: a check that learned nothing must not move history.
// Otherwise the observation's client id and generation become the ledger's
// keys (a new client id starts every history afresh, a new generation the
// credentials' history), and each capability and scope the observation
// decides is updated; those it leaves unknown keep their history, counts
// included.
func (p Policy) Evaluate(l Ledger, o Observation, now time.Time) (Ledger, []Event) {
	next := l.Clone()
	if !o.Conclusive() {
		return next, nil
	}
	next.rekey(o.ClientID, o.Generation)
	e := evaluation{
		confirmAfter: p.confirmAfter(),
		ledger:       &next,
		verdict:      judge(o),
		obs:          o,
		now:          now,
	}
	scopeEvents := e.updateScopes()
	var events []Event
	for _, c := range Capabilities {
		events = append(events, e.settle(c, scopeEvents[c])...)
	}
	return next, events
}

// rekey makes the ledger's history belong to the observed application and
// credential generation, forgetting what belonged to others. Open incidents
// are kept: the caller settles them against the fresh history, so that an
// open B either resolves or turns into its A.
func (l *Ledger) rekey(clientID string, generation int64) {
	if l.ClientID != clientID {
		l.ClientID = clientID
		l.Scopes = nil
		l.Capabilities = nil
	}
	if l.Generation != generation {
		l.Generation = generation
		delete(l.Capabilities, CapabilityCredentials)
	}
	if l.Scopes == nil {
		l.Scopes = make(map[Scope]ScopeRecord, len(Scopes))
	}
	if l.Capabilities == nil {
		l.Capabilities = make(map[Capability]CapabilityRecord, len(Capabilities))
	}
	if l.Incidents == nil {
		l.Incidents = make(map[Code]Incident)
	}
}

// evaluation is one Evaluate call in progress. It writes only to ledger,
// which is already a private copy.
type evaluation struct {
	confirmAfter int
	ledger       *Ledger
	verdict      verdict
	obs          Observation
	now          time.Time
}

// event returns an event stamped with this evaluation's time and check.
func (e *evaluation) event(kind EventKind, c Capability, code Code, sev Severity, scopes []Scope) Event {
	return Event{
		Kind:       kind,
		At:         e.now,
		Code:       code,
		Capability: c,
		Scopes:     slices.Clone(scopes),
		Severity:   sev,
		CheckID:    e.obs.CheckID,
	}
}

// updateScopes applies the observation to the scope ledger and returns the
// scope events grouped by the capability each scope serves.
func (e *evaluation) updateScopes() map[Capability][]Event {
	if !e.verdict.scopesSeen {
		return nil
	}
	events := make(map[Capability][]Event)
	for _, s := range Scopes {
		c := CapabilityOf(s)
		rec := e.ledger.Scopes[s]
		prev := rec.state()
		switch e.obs.Scopes[s].Granted {
		case OutcomeOK:
			rec.State = ScopeGranted
			if rec.FirstGrantedAt.IsZero() {
				rec.FirstGrantedAt = e.now
			}
			rec.LastGrantedAt = e.now
			// A miss not yet confirmed clears silently, like a suspicion.
			rec.Misses = 0
			if prev != ScopeGranted {
				events[c] = append(events[c], e.event(EventScopeGranted, c, "", SeverityInfo, []Scope{s}))
			}
		case OutcomeDenied:
			rec.LastMissingAt = e.now
			switch prev {
			case ScopeUnknown:
				rec.State = ScopeNeverGranted
			case ScopeGranted:
				rec.Misses++
				if rec.Misses >= e.confirmAfter {
					rec.State = ScopeRevoked
					rec.Misses = 0
					// A revocation that its capability survives (the other
					// scope still works) is worth knowing, not waking for.
					sev := SeverityCritical
					if e.verdict.results[c] == satisfied {
						sev = SeverityWarning
					}
					events[c] = append(events[c], e.event(EventScopeRevoked, c, "", sev, []Scope{s}))
				}
			}
			// Otherwise the scope was never granted or is already revoked,
			// and stays so quietly.
		default:
			// Unanswered: the scope's history stays exactly as it was.
			continue
		}
		e.ledger.Scopes[s] = rec
	}
	return events
}

// settle applies this round's result for one capability to its record and
// its incidents, and returns the capability's events with its scope events
// in their place.
func (e *evaluation) settle(c Capability, scopeEvents []Event) []Event {
	rec := e.ledger.Capabilities[c]
	var before, after []Event
	switch e.verdict.results[c] {
	case unknown:
		return scopeEvents
	case satisfied:
		rec.EverSatisfied = true
		if rec.FirstSatisfiedAt.IsZero() {
			rec.FirstSatisfiedAt = e.now
		}
		rec.LastSatisfiedAt = e.now
		// A suspicion that was never confirmed clears without an event: it
		// was never announced as a problem.
		rec.Failures = 0
		for _, k := range []Kind{KindA, KindB} {
			if ev, ok := e.resolve(CodeFor(c, k), ""); ok {
				before = append(before, ev)
			}
		}
	case failed:
		rec.LastFailedAt = e.now
		kind := KindA
		if rec.EverSatisfied {
			kind = KindB
		}
		code := CodeFor(c, kind)
		// Only one of a capability's two codes is ever open: after a rekey
		// the same failure can change kind, and the new kind replaces the old.
		if ev, ok := e.resolve(CodeFor(c, kind.other()), "superseded by "+string(code)); ok {
			before = append(before, ev)
		}
		switch inc, open := e.ledger.Incidents[code]; {
		case open:
			inc.Occurrences++
			inc.LastSeenAt = e.now
			inc.LastCheckID = e.obs.CheckID
			e.ledger.Incidents[code] = inc
		case kind == KindA:
			after = append(after, e.open(c, code))
		default:
			rec.Failures++
			if rec.Failures == 1 && e.confirmAfter > 1 {
				ev := e.event(EventSuspected, c, code, SeverityInfo, e.verdict.unusable[c])
				ev.Detail = summarize(e.obs.Evidence, c)
				after = append(after, ev)
			}
			if rec.Failures >= e.confirmAfter {
				rec.Failures = 0
				after = append(after, e.open(c, code))
			}
		}
	}
	e.ledger.Capabilities[c] = rec
	return slices.Concat(before, scopeEvents, after)
}

// open records a new incident for code and returns its event.
func (e *evaluation) open(c Capability, code Code) Event {
	inc := Incident{
		Code:         code,
		OpenedAt:     e.now,
		LastSeenAt:   e.now,
		Occurrences:  1,
		FirstCheckID: e.obs.CheckID,
		LastCheckID:  e.obs.CheckID,
		Scopes:       e.verdict.unusable[c],
		Evidence:     summarize(e.obs.Evidence, c),
	}
	e.ledger.Incidents[code] = inc
	ev := e.event(EventIncidentOpened, c, code, severityOf(code), inc.Scopes)
	ev.Detail = inc.Evidence
	return ev
}

// resolve closes the incident of code, if one is open, and returns its
// event with detail as the reason (empty when the problem simply went away).
func (e *evaluation) resolve(code Code, detail string) (Event, bool) {
	inc, open := e.ledger.Incidents[code]
	if !open {
		return Event{}, false
	}
	delete(e.ledger.Incidents, code)
	ev := e.event(EventIncidentResolved, code.Capability(), code, severityOf(code), inc.Scopes)
	ev.Detail = detail
	return ev, true
}

// severityOf grades an incident's events: losing something that worked is
// critical; a setup mistake is a warning. A resolution carries its
// incident's severity so that it reaches whoever was told of the opening.
func severityOf(code Code) Severity {
	if code.Kind() == KindB {
		return SeverityCritical
	}
	return SeverityWarning
}
