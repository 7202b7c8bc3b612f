package health

// result is what one check shows about one capability on its own.
type result uint8

const (
	// unknown: nothing definitive this round, so the capability's history is
	// left exactly as it was (inconclusive evidence never counts).
	unknown result = iota
	satisfied
	failed
)

// verdict is what one conclusive observation shows, before any history is
// consulted. Evaluate combines it with the ledger to decide A or B and
// whether a loss is confirmed.
type verdict struct {
	results map[Capability]result
	// scopesSeen reports whether scope evidence counts this round: only
	// when the client authenticated and a token was issued. Otherwise every
	// scope is unknown, whatever the observation says about it.
	scopesSeen bool
	// unusable lists, per capability, its scopes that were definitively
	// unusable this round (not granted, or granted but refused).
	unusable map[Capability][]Scope
}

// judge reads one observation. Each stage runs only when the one before
// it succeeded, because a failure earlier in the chain hides everything
// after it: without a client there is no token, and without a token there
// is nothing to learn about scopes.
func judge(o Observation) verdict {
	v := verdict{
		results:  make(map[Capability]result, len(Capabilities)),
		unusable: make(map[Capability][]Scope),
	}
	v.results[CapabilityCredentials] = outcomeResult(o.Credentials)
	if o.Credentials != OutcomeOK {
		return v
	}
	// The grant decides the application capability only when it is denied;
	// a token being issued proves nothing about reaching Ironclad as the
	// acting user, which the probes below decide.
	if o.Grant != OutcomeOK {
		if o.Grant == OutcomeDenied {
			v.results[CapabilityApplication] = failed
		}
		return v
	}
	v.scopesSeen = true
	app := reachability(o.Scopes)
	v.results[CapabilityApplication] = app
	for _, c := range Capabilities {
		scopes := ScopesOf(c)
		if len(scopes) == 0 {
			continue
		}
		r, unusable, anyGranted := judgeScopes(o.Scopes, scopes)
		// When every granted scope is refused, the acting user is the likely
		// cause, and a refused probe says nothing about the scope itself. A
		// capability none of whose scopes is granted fails regardless.
		if app == failed && anyGranted {
			r = unknown
		}
		v.results[c] = r
		if r == failed {
			v.unusable[c] = unusable
		}
	}
	return v
}

// outcomeResult maps a single definitive outcome onto a result.
func outcomeResult(o Outcome) result {
	switch o {
	case OutcomeOK:
		return satisfied
	case OutcomeDenied:
		return failed
	}
	return unknown
}

// reachability decides whether the token reaches Ironclad as the acting
// user, from the conclusive probes of the scopes that were granted: one
// success proves it; refusals of all of them (and at least one) disprove
// it; with none it stays open. Probes that were not made or not answered
// are left out rather than counted either way.
func reachability(scopes map[Scope]ScopeObservation) result {
	refused := false
	for _, s := range Scopes {
		so := scopes[s]
		if so.Granted != OutcomeOK {
			continue
		}
		switch so.Usable {
		case OutcomeOK:
			return satisfied
		case OutcomeDenied:
			refused = true
		}
	}
	if refused {
		return failed
	}
	return unknown
}

// judgeScopes decides a scoped capability: satisfied when one of its scopes
// is granted and usable, failed when every one of them is definitively
// unusable. It also returns the unusable scopes (in the order given) and
// whether any scope was granted.
func judgeScopes(obs map[Scope]ScopeObservation, scopes []Scope) (r result, unusable []Scope, anyGranted bool) {
	for _, s := range scopes {
		so := obs[s]
		anyGranted = anyGranted || so.Granted == OutcomeOK
		switch {
		case so.Granted == OutcomeOK && so.Usable == OutcomeOK:
			r = satisfied
		case so.Granted == OutcomeDenied, so.Granted == OutcomeOK && so.Usable == OutcomeDenied:
			unusable = append(unusable, s)
		}
	}
	switch {
	case r == satisfied:
		return satisfied, nil, anyGranted
	case len(unusable) == len(scopes):
		return failed, unusable, anyGranted
	}
	return unknown, nil, anyGranted
}
