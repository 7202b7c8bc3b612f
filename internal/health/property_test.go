package health

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"testing"
	"testing/quick"
	"time"
)

// history is a random tenant story for property tests: a policy, the
// observations that bring the tenant to some ledger, and then a run of
// observations that learned nothing (credentials not conclusive) but are
// otherwise arbitrary.
type history struct {
	Policy  Policy
	Steps   []Observation
	Nothing []Observation
}

// Generate implements quick.Generator. Outcomes are weighted towards OK so
// that stories build history (capabilities that held, then fail) rather
// than failing from the first check; client ids and generations change
// rarely, as they do in life.
func (history) Generate(r *rand.Rand, size int) reflect.Value {
	h := history{Policy: Policy{ConfirmAfter: r.Intn(4)}}
	n := 1 + r.Intn(max(size, 1))
	for i := range n {
		h.Steps = append(h.Steps, randomObservation(r, int64(i+1)))
	}
	for i := range 1 + r.Intn(4) {
		o := randomObservation(r, int64(n+i+1))
		o.Credentials = []Outcome{OutcomeInconclusive, OutcomeUnobserved}[r.Intn(2)]
		o.ClientID = pick(r, "client-1", "client-2", "client-3", "")
		o.Generation = r.Int63n(5)
		h.Nothing = append(h.Nothing, o)
	}
	return reflect.ValueOf(h)
}

// randomObservation returns an arbitrary observation, including evidence
// unrelated to its outcomes and scopes that are not the integration's.
func randomObservation(r *rand.Rand, checkID int64) Observation {
	o := Observation{
		CheckID:     checkID,
		ClientID:    pick(r, "client-1", "client-1", "client-1", "client-1", "client-1", "client-1", "client-1", "client-2"),
		Generation:  1 + int64(r.Intn(10)/9), // 1 nine times in ten, else 2
		ObservedAt:  checkTime(checkID),
		Credentials: randomOutcome(r),
		Grant:       randomOutcome(r),
		Scopes:      map[Scope]ScopeObservation{},
		APICalls:    r.Intn(12),
	}
	for _, s := range append([]Scope{"public.contracts.write"}, Scopes...) {
		if r.Intn(10) > 0 {
			o.Scopes[s] = ScopeObservation{Granted: randomOutcome(r), Usable: randomOutcome(r)}
		}
	}
	for range r.Intn(4) {
		o.Evidence = append(o.Evidence, Evidence{
			Call:       pick(r, "POST /oauth/token", "GET /scim/v2/Users", ""),
			Scope:      pick(r, "", ScopeReadUsers, ScopeReadRecords),
			Status:     pick(r, 0, 200, 401, 403, 429, 503),
			OAuthError: pick(r, "", "invalid_client", "invalid_scope"),
			APIError:   pick(r, "", "FORBIDDEN"),
			Outcome:    randomOutcome(r),
			RetryAfter: time.Duration(r.Intn(3)) * time.Second,
		})
	}
	return o
}

// randomOutcome is OK more often than not, as most checks find.
func randomOutcome(r *rand.Rand) Outcome {
	return pick(r, OutcomeOK, OutcomeOK, OutcomeOK, OutcomeOK, OutcomeOK, OutcomeOK, OutcomeDenied, OutcomeDenied, OutcomeDenied, OutcomeInconclusive, OutcomeUnobserved)
}

func pick[T any](r *rand.Rand, choices ...T) T { return choices[r.Intn(len(choices))] }

// quickConfig keeps property tests quick on a shared two-core machine while
// trying a few hundred stories.
func quickConfig() *quick.Config { return &quick.Config{MaxCount: 300} }

// replay evaluates a story's steps from a fresh ledger, calling each with
// every intermediate result; it stops at the first error.
func replay(h history, each func(i int, before Ledger, o Observation, after Ledger, events []Event) error) (Ledger, error) {
	var l Ledger
	for i, o := range h.Steps {
		next, events := h.Policy.Evaluate(l, o, o.ObservedAt)
		if err := each(i, l, o, next, events); err != nil {
			return next, fmt.Errorf("check %d (%+v): %w", o.CheckID, o, err)
		}
		l = next
	}
	return l, nil
}

func TestPropertyNothingLearnedChangesNothing(t *testing.T) {
	t.Parallel()
	property := func(h history) bool {
		l, _ := replay(h, func(int, Ledger, Observation, Ledger, []Event) error { return nil })
		for _, o := range h.Nothing {
			next, events := h.Policy.Evaluate(l, o, o.ObservedAt)
			if !reflect.DeepEqual(next, l) || len(events) != 0 {
				t.Logf("observation %+v\n changed the ledger\n from %+v\n to   %+v\n with events %+v", o, l, next, events)
				return false
			}
		}
		return true
	}
	if err := quick.Check(property, quickConfig()); err != nil {
		t.Fatal(err)
	}
}

func TestPropertyLedgerInvariants(t *testing.T) {
	t.Parallel()
	// seen counts the event kinds the stories produced, to prove that the
	// generator reaches the states the invariants are about.
	seen := map[EventKind]int{}
	property := func(h history) bool {
		_, err := replay(h, func(_ int, before Ledger, o Observation, after Ledger, events []Event) error {
			if err := checkInvariants(after); err != nil {
				return err
			}
			for _, e := range events {
				seen[e.Kind]++
			}
			// Evaluate is a function of its inputs: the same call gives the
			// same answer, and a ledger that went through JSON (as the
			// store keeps it) gives the same events and the same ledger.
			again, againEvents := h.Policy.Evaluate(before, o, o.ObservedAt)
			if !reflect.DeepEqual(again, after) || !reflect.DeepEqual(againEvents, events) {
				return fmt.Errorf("a second call gave a different answer")
			}
			stored, err := roundTrip(before)
			if err != nil {
				return err
			}
			fromStore, storeEvents := h.Policy.Evaluate(stored, o, o.ObservedAt)
			if !reflect.DeepEqual(storeEvents, events) {
				return fmt.Errorf("a ledger read back from JSON gave events\n %+v\n instead of\n %+v", storeEvents, events)
			}
			if a, b := snapshot(t, fromStore), snapshot(t, after); a != b {
				return fmt.Errorf("a ledger read back from JSON gave\n %s\n instead of\n %s", a, b)
			}
			return nil
		})
		if err != nil {
			t.Log(err)
		}
		return err == nil
	}
	if err := quick.Check(property, quickConfig()); err != nil {
		t.Fatal(err)
	}
	for _, k := range []EventKind{EventIncidentOpened, EventIncidentResolved, EventScopeGranted, EventScopeRevoked, EventSuspected} {
		if seen[k] == 0 {
			t.Errorf("no story produced a %s event: the generator is too tame", k)
		}
	}
}

// roundTrip returns the ledger as it reads back from JSON.
func roundTrip(l Ledger) (Ledger, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return Ledger{}, fmt.Errorf("encoding ledger: %w", err)
	}
	var back Ledger
	if err := json.Unmarshal(b, &back); err != nil {
		return Ledger{}, fmt.Errorf("decoding ledger: %w", err)
	}
	return back, nil
}
