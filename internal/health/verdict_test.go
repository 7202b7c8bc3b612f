package health

import "testing"

// TestJudge checks what one observation shows on its own, before history:
// the rules that decide each capability from evidence alone.
func TestJudge(t *testing.T) {
	t.Parallel()
	// want lists the results of credentials, application, users, workflows
	// and records, in that order.
	type results [5]result
	const (
		u = unknown
		s = satisfied
		f = failed
	)
	tests := []struct {
		name       string
		obs        obs
		want       results
		scopesSeen bool
	}{
		{"healthy", healthy(), results{s, s, s, s, s}, true},
		{"invalid_client hides everything else", credsDenied(), results{f, u, u, u, u}, false},
		{"unauthorized_client hides the scopes", grantDenied(), results{s, f, u, u, u}, false},
		{"an unanswered grant hides the scopes", grantUnanswered(), results{s, u, u, u, u}, false},
		{"unanswered credentials", inconclusive(), results{u, u, u, u, u}, false},
		{"unobserved credentials", obs{Observation{}}, results{u, u, u, u, u}, false},
		{"scopes missing", missing(users, workflows), results{s, s, f, s, s}, true},
		{"every scope missing", missing(Scopes...), results{s, u, f, f, f}, true},
		{"one scope refused, its pair works", healthy().unusable(records), results{s, s, s, s, s}, true},
		{"one scope missing, its pair refused", healthy().missing(records).unusable(attachments), results{s, s, s, s, f}, true},
		{"one scope missing, its pair unanswered", healthy().missing(records).probeFault(attachments), results{s, s, s, s, u}, true},
		{"one scope missing, its pair's request unanswered", healthy().missing(records).grantFault(attachments), results{s, s, s, s, u}, true},
		{"every probe refused", actingUserDenied(), results{s, f, u, u, u}, true},
		{"every probe refused, one scope missing", actingUserDenied().missing(users), results{s, f, f, u, u}, true},
		{"every probe refused, one unanswered", actingUserDenied().probeFault(users), results{s, f, u, u, u}, true},
		{"every probe unanswered", healthy().probeFault(Scopes...), results{s, u, u, u, u}, true},
		{"usable but not seen granted", healthy().with(func(so *ScopeObservation) { so.Granted = OutcomeInconclusive }, users), results{s, s, u, s, s}, true},
		{"usable but refused at the token endpoint", healthy().with(func(so *ScopeObservation) { so.Granted = OutcomeDenied }, users), results{s, s, f, s, s}, true},
		{"no scope observed", healthy().with(func(so *ScopeObservation) { *so = ScopeObservation{} }, Scopes...), results{s, u, u, u, u}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := judge(tt.obs.o)
			var got results
			for i, c := range Capabilities {
				got[i] = v.results[c]
			}
			if got != tt.want || v.scopesSeen != tt.scopesSeen {
				t.Errorf("results = %v (scopes seen %v), want %v (%v)", got, v.scopesSeen, tt.want, tt.scopesSeen)
			}
			// Unusable scopes are listed for failed scoped capabilities only,
			// and then they are all of the capability's scopes.
			for c, scopes := range v.unusable {
				if v.results[c] != failed || len(scopes) != len(ScopesOf(c)) {
					t.Errorf("%s: unusable %v with result %v", c, scopes, v.results[c])
				}
			}
		})
	}
}
