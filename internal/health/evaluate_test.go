package health

import (
	"reflect"
	"slices"
	"testing"
)

// Shorthands for the codes and scopes the transcripts use most.
const (
	users        = ScopeReadUsers
	workflows    = ScopeReadWorkflows
	participants = ScopeReadParticipants
	records      = ScopeReadRecords
	attachments  = ScopeReadAttachments
)

// firstHealthy is a tenant's first check, with everything working: every
// scope is seen granted for the first time.
func firstHealthy() step {
	return step{name: "healthy", obs: healthy(), events: granted(Scopes...), scopes: all(ScopeGranted)}
}

// withOthersGranted returns the events of a first check in which every
// capability but c has its scopes granted for the first time and c's group
// of events is group.
func withOthersGranted(c Capability, group ...string) []string {
	var out []string
	for _, other := range Capabilities {
		if other == c {
			out = append(out, group...)
			continue
		}
		out = append(out, granted(ScopesOf(other)...)...)
	}
	return out
}

// incidentIs returns a step check that the incident of code has the given
// occurrences and first and last checks, and was opened and last seen at
// those checks' times.
func incidentIs(code Code, occurrences int, first, last int64) func(*testing.T, Ledger, Ledger, []Event) {
	return func(t *testing.T, _, after Ledger, _ []Event) {
		t.Helper()
		inc, ok := after.Incidents[code]
		if !ok {
			t.Fatalf("%s is not open", code)
		}
		if inc.Occurrences != occurrences || inc.FirstCheckID != first || inc.LastCheckID != last ||
			!inc.OpenedAt.Equal(checkTime(first)) || !inc.LastSeenAt.Equal(checkTime(last)) {
			t.Errorf("%s = %+v, want %d occurrences, checks %d..%d", code, inc, occurrences, first, last)
		}
	}
}

// unchangedFor returns a step check that the step left the records of the
// capabilities and scopes exactly as they were.
func unchangedFor(caps []Capability, scopes []Scope) func(*testing.T, Ledger, Ledger, []Event) {
	return func(t *testing.T, before, after Ledger, _ []Event) {
		t.Helper()
		for _, c := range caps {
			if before.Capabilities[c] != after.Capabilities[c] {
				t.Errorf("%s record changed:\n before %+v\n after  %+v", c, before.Capabilities[c], after.Capabilities[c])
			}
		}
		for _, s := range scopes {
			if before.Scopes[s] != after.Scopes[s] {
				t.Errorf("%s record changed:\n before %+v\n after  %+v", s, before.Scopes[s], after.Scopes[s])
			}
		}
	}
}

// ledgerUnchanged is a step check that the step changed nothing at all.
func ledgerUnchanged(t *testing.T, before, after Ledger, _ []Event) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		t.Errorf("ledger changed:\n before %+v\n after  %+v", before, after)
	}
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	t.Run("wrong secret from the start is ICD-100-A at once", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			{name: "invalid_client", obs: credsDenied(), events: events(opened("ICD-100-A")), open: codes("ICD-100-A"), scopes: all(ScopeUnknown)},
			{name: "still invalid", obs: credsDenied(), open: codes("ICD-100-A"), scopes: all(ScopeUnknown), check: incidentIs("ICD-100-A", 2, 1, 2)},
			{name: "fixed", obs: healthy(), events: events(resolved("ICD-100-A"), granted(Scopes...)), scopes: all(ScopeGranted)},
		})
	})
	t.Run("credentials that worked then invalid_client are ICD-100-B after confirmation", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "invalid_client", obs: credsDenied(), events: events(suspected("ICD-100-B")), suspected: codes("ICD-100-B"), scopes: all(ScopeGranted)},
			{name: "confirmed", obs: credsDenied(), events: events(opened("ICD-100-B")), open: codes("ICD-100-B"), scopes: all(ScopeGranted), check: incidentIs("ICD-100-B", 1, 3, 3)},
			{name: "again", obs: credsDenied(), open: codes("ICD-100-B"), check: incidentIs("ICD-100-B", 2, 3, 4)},
			{name: "restored", obs: healthy(), events: events(resolved("ICD-100-B")), scopes: all(ScopeGranted)},
		})
	})
	t.Run("an ok check before confirmation clears the suspicion silently", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "invalid_client", obs: credsDenied(), events: events(suspected("ICD-100-B")), suspected: codes("ICD-100-B")},
			{name: "blip over", obs: healthy(), check: func(t *testing.T, _, after Ledger, _ []Event) {
				if after.AwaitingConfirmation() {
					t.Error("still awaiting confirmation after an ok check")
				}
			}},
			{name: "invalid_client again", obs: credsDenied(), events: events(suspected("ICD-100-B")), suspected: codes("ICD-100-B")},
		})
	})
	t.Run("an unanswered grant still proves the credentials", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			{name: "invalid_client", obs: credsDenied(), events: events(opened("ICD-100-A")), open: codes("ICD-100-A")},
			{name: "authenticated, grant unanswered", obs: grantUnanswered(), events: events(resolved("ICD-100-A")), scopes: all(ScopeUnknown),
				check: unchangedFor(Capabilities[1:], Scopes)},
		})
	})
}

func TestApplication(t *testing.T) {
	t.Parallel()
	t.Run("unauthorized_client from the start is ICD-101-A at once", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			{name: "unauthorized_client", obs: grantDenied(), events: events(opened("ICD-101-A")), open: codes("ICD-101-A"), scopes: all(ScopeUnknown)},
			{name: "grant enabled", obs: healthy(), events: events(resolved("ICD-101-A"), granted(Scopes...)), scopes: all(ScopeGranted)},
		})
	})
	t.Run("an acting user refused from the start is ICD-101-A, not scope codes", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			{name: "every probe refused", obs: actingUserDenied(), events: events(opened("ICD-101-A"), granted(Scopes...)), open: codes("ICD-101-A"), scopes: all(ScopeGranted)},
			{name: "user fixed", obs: healthy(), events: events(resolved("ICD-101-A")), scopes: all(ScopeGranted)},
		})
	})
	t.Run("acting user deactivated after working is ICD-101-B after confirmation", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "every probe refused", obs: actingUserDenied(), events: events(suspected("ICD-101-B")), suspected: codes("ICD-101-B"), scopes: all(ScopeGranted)},
			{name: "confirmed", obs: actingUserDenied(), events: events(opened("ICD-101-B")), open: codes("ICD-101-B"), scopes: all(ScopeGranted),
				check: unchangedFor([]Capability{CapabilityUsers, CapabilityWorkflows, CapabilityRecords}, nil)},
			{name: "user reactivated", obs: healthy(), events: events(resolved("ICD-101-B")), scopes: all(ScopeGranted)},
		})
	})
	t.Run("grant removed after working is ICD-101-B after confirmation", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "unauthorized_client", obs: grantDenied(), events: events(suspected("ICD-101-B")), suspected: codes("ICD-101-B"), scopes: all(ScopeGranted),
				check: unchangedFor([]Capability{CapabilityUsers, CapabilityWorkflows, CapabilityRecords}, Scopes)},
			{name: "confirmed", obs: grantDenied(), events: events(opened("ICD-101-B")), open: codes("ICD-101-B"), scopes: all(ScopeGranted)},
			{name: "grant restored", obs: healthy(), events: events(resolved("ICD-101-B")), scopes: all(ScopeGranted)},
		})
	})
	t.Run("a capability with no granted scope still fails while the acting user is refused", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			{name: "users missing, other probes refused", obs: actingUserDenied().missing(users),
				events: events(opened("ICD-101-A"), opened("ICD-102-A", users), granted(workflows, participants, records, attachments)),
				open:   codes("ICD-101-A", "ICD-102-A"), scopes: all(ScopeGranted).with(ScopeNeverGranted, users)},
		})
	})
	t.Run("unprobed scopes leave reachability to the probes that were made", func(t *testing.T) {
		t.Parallel()
		o := healthy().unusable(users, workflows, records).with(func(so *ScopeObservation) { so.Usable = OutcomeUnobserved }, participants, attachments)
		run(t, DefaultPolicy(), []step{
			{name: "three refused, two not probed", obs: o, events: events(opened("ICD-101-A"), granted(Scopes...)), open: codes("ICD-101-A"), scopes: all(ScopeGranted)},
		})
	})
}

func TestScopedCapabilities(t *testing.T) {
	t.Parallel()
	for _, c := range []Capability{CapabilityUsers, CapabilityWorkflows, CapabilityRecords} {
		scopes := ScopesOf(c)
		codeA, codeB := CodeFor(c, KindA), CodeFor(c, KindB)
		var revocations []string
		for _, s := range scopes {
			revocations = append(revocations, revoked(SeverityCritical, s))
		}
		t.Run(string(codeA)+" when never granted", func(t *testing.T) {
			t.Parallel()
			run(t, DefaultPolicy(), []step{
				{name: "scopes missing", obs: missing(scopes...), events: withOthersGranted(c, opened(codeA, scopes...)), open: codes(codeA),
					scopes: all(ScopeGranted).with(ScopeNeverGranted, scopes...)},
				{name: "still missing", obs: missing(scopes...), open: codes(codeA), check: incidentIs(codeA, 2, 1, 2)},
				{name: "granted", obs: healthy(), events: events(resolved(codeA, scopes...), granted(scopes...)), scopes: all(ScopeGranted)},
			})
		})
		t.Run(string(codeA)+" when granted but never usable", func(t *testing.T) {
			t.Parallel()
			run(t, DefaultPolicy(), []step{
				{name: "probes refused", obs: healthy().unusable(scopes...), events: withOthersGranted(c, events(granted(scopes...), opened(codeA, scopes...))...),
					open: codes(codeA), scopes: all(ScopeGranted)},
			})
		})
		t.Run(string(codeB)+" when revoked after working", func(t *testing.T) {
			t.Parallel()
			run(t, DefaultPolicy(), []step{
				firstHealthy(),
				{name: "scopes missing", obs: missing(scopes...), events: events(suspected(codeB, scopes...)), suspected: codes(codeB), scopes: all(ScopeGranted)},
				{name: "confirmed", obs: missing(scopes...), events: events(revocations, opened(codeB, scopes...)), open: codes(codeB),
					scopes: all(ScopeGranted).with(ScopeRevoked, scopes...)},
				{name: "still missing", obs: missing(scopes...), open: codes(codeB), scopes: all(ScopeGranted).with(ScopeRevoked, scopes...), check: incidentIs(codeB, 2, 3, 4)},
				{name: "restored", obs: healthy(), events: events(resolved(codeB, scopes...), granted(scopes...)), scopes: all(ScopeGranted)},
			})
		})
		t.Run(string(codeB)+" when granted but no longer usable", func(t *testing.T) {
			t.Parallel()
			run(t, DefaultPolicy(), []step{
				firstHealthy(),
				{name: "probes refused", obs: healthy().unusable(scopes...), events: events(suspected(codeB, scopes...)), suspected: codes(codeB)},
				{name: "confirmed", obs: healthy().unusable(scopes...), events: events(opened(codeB, scopes...)), open: codes(codeB), scopes: all(ScopeGranted)},
			})
		})
	}
}

func TestRevokedRestoredRevokedAgain(t *testing.T) {
	t.Parallel()
	run(t, DefaultPolicy(), []step{
		firstHealthy(),
		{name: "users missing", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
		{name: "confirmed", obs: missing(users), events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B"),
			scopes: all(ScopeGranted).with(ScopeRevoked, users), check: incidentIs("ICD-102-B", 1, 3, 3)},
		{name: "restored", obs: healthy(), events: events(resolved("ICD-102-B", users), granted(users)), scopes: all(ScopeGranted)},
		{name: "missing again", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B"), scopes: all(ScopeGranted)},
		{name: "confirmed again", obs: missing(users), events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B"),
			scopes: all(ScopeGranted).with(ScopeRevoked, users), check: incidentIs("ICD-102-B", 1, 6, 6)},
		{name: "restored again", obs: healthy(), events: events(resolved("ICD-102-B", users), granted(users)), scopes: all(ScopeGranted),
			check: func(t *testing.T, _, after Ledger, _ []Event) {
				// The scope's history spans both revocations.
				rec := after.Scopes[users]
				if !rec.FirstGrantedAt.Equal(checkTime(1)) || !rec.LastGrantedAt.Equal(checkTime(7)) || !rec.LastMissingAt.Equal(checkTime(6)) {
					t.Errorf("users record = %+v", rec)
				}
				want := CapabilityRecord{EverSatisfied: true, FirstSatisfiedAt: checkTime(1), LastSatisfiedAt: checkTime(7), LastFailedAt: checkTime(6)}
				if got := after.Capabilities[CapabilityUsers]; got != want {
					t.Errorf("users capability = %+v, want %+v", got, want)
				}
			}},
	})
}

func TestSecretRotated(t *testing.T) {
	t.Parallel()
	t.Run("scope history is kept, credential history is fresh", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "users missing", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
			{name: "rotated, users still missing", obs: missing(users).gen(2),
				// The pending revocation carries over: the application is the same.
				events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B"),
				scopes: all(ScopeGranted).with(ScopeRevoked, users),
				check: func(t *testing.T, _, after Ledger, _ []Event) {
					if after.Generation != 2 || !after.Capabilities[CapabilityCredentials].FirstSatisfiedAt.Equal(checkTime(3)) {
						t.Errorf("credentials history not fresh: generation %d, %+v", after.Generation, after.Capabilities[CapabilityCredentials])
					}
					if !after.Capabilities[CapabilityWorkflows].FirstSatisfiedAt.Equal(checkTime(1)) {
						t.Errorf("workflows history not kept: %+v", after.Capabilities[CapabilityWorkflows])
					}
				}},
			{name: "rotated to a bad secret", obs: credsDenied().gen(3), events: events(opened("ICD-100-A")), open: codes("ICD-100-A", "ICD-102-B"),
				scopes: all(ScopeGranted).with(ScopeRevoked, users)},
			{name: "fixed", obs: healthy().gen(3), events: events(resolved("ICD-100-A"), resolved("ICD-102-B", users), granted(users)), scopes: all(ScopeGranted)},
		})
	})
	t.Run("an open ICD-100-B resolves when the new credentials work", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "invalid_client", obs: credsDenied(), events: events(suspected("ICD-100-B")), suspected: codes("ICD-100-B")},
			{name: "confirmed", obs: credsDenied(), events: events(opened("ICD-100-B")), open: codes("ICD-100-B")},
			{name: "rotated", obs: healthy().gen(2), events: events(resolved("ICD-100-B")), scopes: all(ScopeGranted)},
		})
	})
	t.Run("an open ICD-100-B becomes ICD-100-A when the new credentials fail", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "invalid_client", obs: credsDenied(), events: events(suspected("ICD-100-B")), suspected: codes("ICD-100-B")},
			{name: "confirmed", obs: credsDenied(), events: events(opened("ICD-100-B")), open: codes("ICD-100-B")},
			{name: "rotated to a bad secret", obs: credsDenied().gen(2), events: events(resolved("ICD-100-B"), opened("ICD-100-A")), open: codes("ICD-100-A"),
				check: func(t *testing.T, _, _ Ledger, evs []Event) {
					if evs[0].Detail != "superseded by ICD-100-A" {
						t.Errorf("resolution detail = %q", evs[0].Detail)
					}
				}},
			{name: "fixed", obs: healthy().gen(2), events: events(resolved("ICD-100-A")), scopes: all(ScopeGranted)},
		})
	})
	t.Run("a pending suspicion does not carry over to new credentials", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "invalid_client", obs: credsDenied(), events: events(suspected("ICD-100-B")), suspected: codes("ICD-100-B")},
			{name: "rotated to a bad secret", obs: credsDenied().gen(2), events: events(opened("ICD-100-A")), open: codes("ICD-100-A")},
		})
	})
}

func TestClientIDChanged(t *testing.T) {
	t.Parallel()
	run(t, DefaultPolicy(), []step{
		firstHealthy(),
		{name: "users missing", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
		{name: "confirmed", obs: missing(users), events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B"),
			scopes: all(ScopeGranted).with(ScopeRevoked, users)},
		{name: "new application without users", obs: missing(users).client("client-2"),
			// All history is fresh: users was never granted to this
			// application, and every other scope is granted to it for the first time.
			events: withOthersGranted(CapabilityUsers, resolved("ICD-102-B", users), opened("ICD-102-A", users)), open: codes("ICD-102-A"),
			scopes: all(ScopeGranted).with(ScopeNeverGranted, users),
			check: func(t *testing.T, _, after Ledger, evs []Event) {
				if after.ClientID != "client-2" {
					t.Errorf("ClientID = %q", after.ClientID)
				}
				for _, c := range Capabilities {
					if rec := after.Capabilities[c]; !rec.FirstSatisfiedAt.IsZero() && !rec.FirstSatisfiedAt.Equal(checkTime(4)) {
						t.Errorf("%s history not fresh: %+v", c, rec)
					}
				}
				if evs[0].Detail != "superseded by ICD-102-A" {
					t.Errorf("resolution detail = %q", evs[0].Detail)
				}
			}},
		{name: "users granted", obs: healthy().client("client-2"), events: events(resolved("ICD-102-A", users), granted(users)), scopes: all(ScopeGranted)},
		{name: "users revoked from the new application", obs: missing(users).client("client-2"), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
	})
}

func TestInconclusive(t *testing.T) {
	t.Parallel()
	t.Run("an inconclusive check between two denials keeps the count", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "users missing", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
			{name: "token endpoint down", obs: inconclusive(), suspected: codes("ICD-102-B"), check: ledgerUnchanged},
			{name: "another application, unanswered", obs: inconclusive().client("client-2").gen(9), suspected: codes("ICD-102-B"), check: ledgerUnchanged},
			{name: "users missing again", obs: missing(users), events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B")},
			{name: "token endpoint down", obs: inconclusive(), open: codes("ICD-102-B"), check: ledgerUnchanged},
		})
	})
	t.Run("a probe fault changes nothing for its capability", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "users refused", obs: healthy().unusable(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
			{name: "users probe 5xx", obs: healthy().probeFault(users), suspected: codes("ICD-102-B"),
				check: unchangedFor([]Capability{CapabilityUsers}, nil)},
			{name: "users refused again", obs: healthy().unusable(users), events: events(opened("ICD-102-B", users)), open: codes("ICD-102-B")},
			{name: "users probe 5xx", obs: healthy().probeFault(users), open: codes("ICD-102-B"), check: incidentIs("ICD-102-B", 1, 4, 4)},
		})
	})
	t.Run("an unanswered scope request changes nothing for its scope or capability", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "users missing", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
			{name: "users request 5xx", obs: healthy().grantFault(users), suspected: codes("ICD-102-B"),
				check: unchangedFor([]Capability{CapabilityUsers}, []Scope{users})},
			{name: "users missing again", obs: missing(users), events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B")},
		})
	})
	t.Run("one probe fault among refusals does not hide the acting user", func(t *testing.T) {
		t.Parallel()
		run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "refused but one 5xx", obs: actingUserDenied().probeFault(records), events: events(suspected("ICD-101-B")), suspected: codes("ICD-101-B")},
		})
	})
}

func TestOneWorkflowScopeRevoked(t *testing.T) {
	t.Parallel()
	run(t, DefaultPolicy(), []step{
		firstHealthy(),
		{name: "readWorkflows missing", obs: missing(workflows), scopes: all(ScopeGranted),
			check: func(t *testing.T, _, after Ledger, _ []Event) {
				if !after.AwaitingConfirmation() || after.Scopes[workflows].Misses != 1 {
					t.Errorf("the miss is not pending: %+v", after.Scopes[workflows])
				}
			}},
		{name: "confirmed", obs: missing(workflows), events: events(revoked(SeverityWarning, workflows)), scopes: all(ScopeGranted).with(ScopeRevoked, workflows)},
		{name: "still missing", obs: missing(workflows), scopes: all(ScopeGranted).with(ScopeRevoked, workflows)},
		{name: "readParticipants goes too", obs: missing(workflows, participants), events: events(suspected("ICD-103-B", workflows, participants)),
			suspected: codes("ICD-103-B"), scopes: all(ScopeGranted).with(ScopeRevoked, workflows)},
		{name: "confirmed", obs: missing(workflows, participants), events: events(revoked(SeverityCritical, participants), opened("ICD-103-B", workflows, participants)),
			open: codes("ICD-103-B"), scopes: all(ScopeGranted).with(ScopeRevoked, workflows, participants)},
		{name: "readParticipants back", obs: missing(workflows), events: events(resolved("ICD-103-B", workflows, participants), granted(participants)),
			scopes: all(ScopeGranted).with(ScopeRevoked, workflows)},
	})
}

func TestScopeSeenAgainBeforeConfirmation(t *testing.T) {
	t.Parallel()
	run(t, DefaultPolicy(), []step{
		firstHealthy(),
		{name: "readWorkflows missing", obs: missing(workflows), scopes: all(ScopeGranted)},
		{name: "readWorkflows back", obs: healthy(), scopes: all(ScopeGranted),
			check: func(t *testing.T, _, after Ledger, _ []Event) {
				if after.AwaitingConfirmation() {
					t.Errorf("a miss is still pending: %+v", after.Scopes[workflows])
				}
			}},
		{name: "readWorkflows missing again", obs: missing(workflows), scopes: all(ScopeGranted)},
		{name: "users missing", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
		{name: "users back", obs: healthy(), scopes: all(ScopeGranted)},
		{name: "users missing again", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
	})
}

func TestCredentialsFailingLeavesScopesUntouched(t *testing.T) {
	t.Parallel()
	scoped := []Capability{CapabilityApplication, CapabilityUsers, CapabilityWorkflows, CapabilityRecords}
	run(t, DefaultPolicy(), []step{
		firstHealthy(),
		{name: "users missing", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
		{name: "invalid_client", obs: credsDenied(), events: events(suspected("ICD-100-B")), suspected: codes("ICD-100-B", "ICD-102-B"),
			scopes: all(ScopeGranted), check: unchangedFor(scoped, Scopes)},
		{name: "unauthorized_client", obs: grantDenied(), events: events(suspected("ICD-101-B")), suspected: codes("ICD-101-B", "ICD-102-B"),
			scopes: all(ScopeGranted), check: unchangedFor(scoped[1:], Scopes)},
		{name: "users missing again", obs: missing(users), events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B"),
			scopes: all(ScopeGranted).with(ScopeRevoked, users)},
	})
}

func TestConfirmAfter(t *testing.T) {
	t.Parallel()
	for _, p := range []Policy{{ConfirmAfter: 1}, {ConfirmAfter: 0}, {ConfirmAfter: -3}} {
		t.Run("at once", func(t *testing.T) {
			t.Parallel()
			run(t, p, []step{
				firstHealthy(),
				{name: "users missing", obs: missing(users), events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B"),
					scopes: all(ScopeGranted).with(ScopeRevoked, users)},
				{name: "invalid_client", obs: credsDenied(), events: events(opened("ICD-100-B")), open: codes("ICD-100-B", "ICD-102-B")},
			})
		})
	}
	t.Run("three", func(t *testing.T) {
		t.Parallel()
		run(t, Policy{ConfirmAfter: 3}, []step{
			firstHealthy(),
			{name: "users missing 1", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B")},
			{name: "users missing 2", obs: missing(users), suspected: codes("ICD-102-B"), scopes: all(ScopeGranted)},
			{name: "unanswered", obs: inconclusive(), suspected: codes("ICD-102-B")},
			{name: "users missing 3", obs: missing(users), events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B"),
				scopes: all(ScopeGranted).with(ScopeRevoked, users)},
		})
	})
}

func TestIncidentRecord(t *testing.T) {
	t.Parallel()
	t.Run("A", func(t *testing.T) {
		t.Parallel()
		l := run(t, DefaultPolicy(), []step{
			{name: "invalid_client", obs: credsDenied(), events: events(opened("ICD-100-A")), open: codes("ICD-100-A")},
			{name: "unanswered", obs: inconclusive(), open: codes("ICD-100-A"), check: incidentIs("ICD-100-A", 1, 1, 1)},
			{name: "invalid_client", obs: credsDenied(), open: codes("ICD-100-A"), check: incidentIs("ICD-100-A", 2, 1, 3)},
			{name: "invalid_client", obs: credsDenied(), open: codes("ICD-100-A"), check: incidentIs("ICD-100-A", 3, 1, 4)},
		})
		if inc := l.Incidents["ICD-100-A"]; inc.Evidence != "POST /oauth/token: 401 invalid_client" || inc.Scopes != nil {
			t.Errorf("ICD-100-A = %+v", inc)
		}
	})
	t.Run("B", func(t *testing.T) {
		t.Parallel()
		const evidence = "POST /oauth/token [scim.users.readUsers]: 400 invalid_scope"
		l := run(t, DefaultPolicy(), []step{
			firstHealthy(),
			{name: "users missing", obs: missing(users), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B"),
				check: func(t *testing.T, _, _ Ledger, evs []Event) {
					want := Event{Kind: EventSuspected, At: checkTime(2), Code: "ICD-102-B", Capability: CapabilityUsers,
						Scopes: []Scope{users}, Severity: SeverityInfo, CheckID: 2, Detail: evidence}
					if !reflect.DeepEqual(evs[0], want) {
						t.Errorf("event\n got  %+v\n want %+v", evs[0], want)
					}
				}},
			{name: "confirmed", obs: missing(users), events: events(revoked(SeverityCritical, users), opened("ICD-102-B", users)), open: codes("ICD-102-B"),
				check: func(t *testing.T, _, _ Ledger, evs []Event) {
					want := Event{Kind: EventIncidentOpened, At: checkTime(3), Code: "ICD-102-B", Capability: CapabilityUsers,
						Scopes: []Scope{users}, Severity: SeverityCritical, CheckID: 3, Detail: evidence}
					if !reflect.DeepEqual(evs[1], want) {
						t.Errorf("event\n got  %+v\n want %+v", evs[1], want)
					}
				}},
			{name: "again", obs: missing(users), open: codes("ICD-102-B"), check: incidentIs("ICD-102-B", 2, 3, 4)},
		})
		if inc := l.Incidents["ICD-102-B"]; inc.Evidence != evidence || !slices.Equal(inc.Scopes, []Scope{users}) {
			t.Errorf("ICD-102-B = %+v", inc)
		}
	})
}

func TestEvaluateDoesNotMutateOrAliasItsInput(t *testing.T) {
	t.Parallel()
	// A ledger with every map filled and an incident holding scopes.
	l := run(t, DefaultPolicy(), []step{
		firstHealthy(),
		{name: "workflows missing", obs: missing(workflows, participants), events: events(suspected("ICD-103-B", workflows, participants)), suspected: codes("ICD-103-B")},
		{name: "confirmed", obs: missing(workflows, participants),
			events: events(revoked(SeverityCritical, workflows), revoked(SeverityCritical, participants), opened("ICD-103-B", workflows, participants)),
			open:   codes("ICD-103-B")},
		{name: "users missing", obs: missing(users, workflows, participants), events: events(suspected("ICD-102-B", users)), suspected: codes("ICD-102-B"), open: codes("ICD-103-B")},
	})
	before, frozen := l.Clone(), snapshot(t, l)
	// A new application touches every record and incident.
	Evaluate(l, healthy().client("client-2").gen(2).observation(5, checkTime(5)), checkTime(5))
	if !reflect.DeepEqual(l, before) {
		t.Fatalf("Evaluate modified its input:\n before %+v\n after  %+v", before, l)
	}
	// Nor may the result share anything with the input.
	next, _ := Evaluate(l, missing(users, workflows, participants).observation(5, checkTime(5)), checkTime(5))
	clear(next.Scopes)
	clear(next.Capabilities)
	for code, inc := range next.Incidents {
		for i := range inc.Scopes {
			inc.Scopes[i] = "changed"
		}
		delete(next.Incidents, code)
	}
	if !reflect.DeepEqual(l, before) || snapshot(t, l) != frozen {
		t.Fatalf("changing Evaluate's result changed its input:\n before %s\n after  %s", frozen, snapshot(t, l))
	}
}

func TestEvaluateUsesDefaultPolicy(t *testing.T) {
	t.Parallel()
	var l Ledger
	for i, b := range []obs{healthy(), missing(users), missing(users)} {
		id := int64(i + 1)
		o := b.observation(id, checkTime(id))
		want, wantEvents := DefaultPolicy().Evaluate(l, o, checkTime(id))
		got, gotEvents := Evaluate(l, o, checkTime(id))
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotEvents, wantEvents) {
			t.Fatalf("check %d: Evaluate differs from DefaultPolicy().Evaluate", id)
		}
		l = got
	}
	if !slices.Equal(l.OpenCodes(), []Code{"ICD-102-B"}) {
		t.Fatalf("open codes = %v, want ICD-102-B after two misses", l.OpenCodes())
	}
}

func TestUnknownScopesAreIgnored(t *testing.T) {
	t.Parallel()
	o := healthy().with(func(so *ScopeObservation) { so.Granted = OutcomeDenied }, "public.contracts.delete").observation(1, checkTime(1))
	l, evs := Evaluate(Ledger{}, o, checkTime(1))
	if _, ok := l.Scopes["public.contracts.delete"]; ok || len(evs) != len(Scopes) {
		t.Fatalf("an unknown scope was recorded: %+v, %d events", l.Scopes, len(evs))
	}
}
