package health

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of the ledger: changing the copy's maps or an
// incident's scopes never changes the original. Nil maps stay nil, so a
// clone is deep-equal to its original.
func (l Ledger) Clone() Ledger {
	c := l
	c.Scopes = maps.Clone(l.Scopes)
	c.Capabilities = maps.Clone(l.Capabilities)
	c.Incidents = maps.Clone(l.Incidents)
	for code, inc := range c.Incidents {
		inc.Scopes = slices.Clone(inc.Scopes)
		c.Incidents[code] = inc
	}
	return c
}

// OpenCodes returns the codes of the open incidents, sorted.
func (l Ledger) OpenCodes() []Code {
	return slices.Sorted(maps.Keys(l.Incidents))
}

// Suspected returns the B codes awaiting confirmation, in code order: their
// capability has failed since it last held, but not yet often enough to
// open an incident.
func (l Ledger) Suspected() []Code {
	var codes []Code
	for _, c := range Capabilities {
		code := CodeFor(c, KindB)
		if _, open := l.Incidents[code]; !open && l.Capabilities[c].Failures > 0 {
			codes = append(codes, code)
		}
	}
	return codes
}

// ScopeStates returns the state of every integration scope, ScopeUnknown for
// those never observed.
func (l Ledger) ScopeStates() map[Scope]ScopeState {
	states := make(map[Scope]ScopeState, len(Scopes))
	for _, s := range Scopes {
		states[s] = l.Scopes[s].state()
	}
	return states
}

// AwaitingConfirmation reports whether a loss is pending: a capability or a
// scope has failed since it last worked but is not confirmed yet. The
// scheduler uses it to recheck soon rather than a full interval later.
func (l Ledger) AwaitingConfirmation() bool {
	for _, r := range l.Capabilities {
		if r.Failures > 0 {
			return true
		}
	}
	for _, r := range l.Scopes {
		if r.Misses > 0 {
			return true
		}
	}
	return false
}

// state returns the record's state, ScopeUnknown for the zero record.
func (r ScopeRecord) state() ScopeState {
	if r.State == "" {
		return ScopeUnknown
	}
	return r.State
}
