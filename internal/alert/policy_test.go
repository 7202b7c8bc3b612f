package alert

import (
	"slices"
	"testing"

	"github.com/grantwatch/grantwatch/internal/health"
)

// planned is the part of an alert the policy tests compare.
type planned struct {
	EventID  int64
	EventIDs []int64
	Kind     Kind
	State    State
	Severity health.Severity
	Code     health.Code
	Scopes   []health.Scope
}

func summarize(alerts []Alert) []planned {
	out := make([]planned, 0, len(alerts))
	for _, a := range alerts {
		out = append(out, planned{a.EventID, a.EventIDs, a.Kind, a.State, a.Severity, a.Code, a.Scopes})
	}
	return out
}

func TestPlan(t *testing.T) {
	t.Parallel()
	const (
		wf = health.ScopeReadWorkflows
		wp = health.ScopeReadParticipants
		rr = health.ScopeReadRecords
		us = health.ScopeReadUsers
	)
	opened := func(id int64, code health.Code, check int64, scopes ...health.Scope) Event {
		return event(id, health.EventIncidentOpened, code, check, scopes...)
	}
	resolved := func(id int64, code health.Code, check int64) Event {
		return event(id, health.EventIncidentResolved, code, check)
	}
	revoked := func(id, check int64, scopes ...health.Scope) Event {
		e := event(id, health.EventScopeRevoked, "", check, scopes...)
		e.Capability = health.CapabilityOf(scopes[0])
		return e
	}
	other := func(id int64, kind health.EventKind, code health.Code) Event { return event(id, kind, code, 1) }

	tests := []struct {
		name   string
		policy Policy
		events []Event
		want   []planned
	}{
		{
			name:   "no events, no alerts",
			events: nil,
			want:   []planned{},
		},
		{
			name:   "A incident opens silently by default",
			events: []Event{opened(1, "ICD-102-A", 1, us)},
			want:   []planned{},
		},
		{
			name:   "A incident resolves silently by default",
			events: []Event{resolved(1, "ICD-102-A", 1)},
			want:   []planned{},
		},
		{
			name:   "A incident opening alerts as a warning under AlertOnA",
			policy: Policy{AlertOnA: true},
			events: []Event{opened(1, "ICD-100-A", 1)},
			want:   []planned{{1, []int64{1}, KindIncidentOpened, StateFiring, health.SeverityWarning, "ICD-100-A", []health.Scope{}}},
		},
		{
			name:   "A incident resolving alerts as a warning under AlertOnA",
			policy: Policy{AlertOnA: true},
			events: []Event{resolved(4, "ICD-102-A", 2)},
			want:   []planned{{4, []int64{4}, KindIncidentResolved, StateResolved, health.SeverityWarning, "ICD-102-A", []health.Scope{us}}},
		},
		{
			name:   "B incident opening is critical",
			events: []Event{opened(3, "ICD-100-B", 1)},
			want:   []planned{{3, []int64{3}, KindIncidentOpened, StateFiring, health.SeverityCritical, "ICD-100-B", []health.Scope{}}},
		},
		{
			name:   "B incident resolving alerts resolved",
			events: []Event{resolved(9, "ICD-103-B", 5)},
			want:   []planned{{9, []int64{9}, KindIncidentResolved, StateResolved, health.SeverityCritical, "ICD-103-B", []health.Scope{wf, wp}}},
		},
		{
			name:   "scope revoked while its capability holds is a warning",
			events: []Event{revoked(5, 2, wf)},
			want:   []planned{{5, []int64{5}, KindScopeRevoked, StateFiring, health.SeverityWarning, "", []health.Scope{wf}}},
		},
		{
			name: "incident opened with the revocations that caused it makes one alert",
			events: []Event{
				revoked(10, 4, wf),
				revoked(11, 4, wp),
				opened(12, "ICD-103-B", 4, wf, wp),
			},
			want: []planned{{12, []int64{10, 11, 12}, KindIncidentOpened, StateFiring, health.SeverityCritical, "ICD-103-B", []health.Scope{wf, wp}}},
		},
		{
			name: "input order does not matter",
			events: []Event{
				opened(12, "ICD-103-B", 4, wf, wp),
				revoked(11, 4, wp),
				revoked(10, 4, wf),
			},
			want: []planned{{12, []int64{10, 11, 12}, KindIncidentOpened, StateFiring, health.SeverityCritical, "ICD-103-B", []health.Scope{wf, wp}}},
		},
		{
			name:   "an incident without scopes folds revocations of its capability's scopes",
			events: []Event{revoked(20, 6, us), opened(21, "ICD-102-B", 6)},
			want:   []planned{{21, []int64{20, 21}, KindIncidentOpened, StateFiring, health.SeverityCritical, "ICD-102-B", []health.Scope{us}}},
		},
		{
			name:   "a revocation of another check does not fold",
			events: []Event{revoked(30, 7, wf), opened(31, "ICD-103-B", 8, wf, wp)},
			want: []planned{
				{30, []int64{30}, KindScopeRevoked, StateFiring, health.SeverityWarning, "", []health.Scope{wf}},
				{31, []int64{31}, KindIncidentOpened, StateFiring, health.SeverityCritical, "ICD-103-B", []health.Scope{wf, wp}},
			},
		},
		{
			name:   "a revocation outside the incident's scopes does not fold",
			events: []Event{opened(40, "ICD-103-B", 9, wf, wp), revoked(41, 9, rr)},
			want: []planned{
				{40, []int64{40}, KindIncidentOpened, StateFiring, health.SeverityCritical, "ICD-103-B", []health.Scope{wf, wp}},
				{41, []int64{41}, KindScopeRevoked, StateFiring, health.SeverityWarning, "", []health.Scope{rr}},
			},
		},
		{
			name: "a revocation of another tenant in the same check id does not fold",
			events: func() []Event {
				r := revoked(50, 10, wf)
				r.TenantID = 8
				return []Event{opened(51, "ICD-103-B", 10, wf, wp), r}
			}(),
			want: []planned{
				{50, []int64{50}, KindScopeRevoked, StateFiring, health.SeverityWarning, "", []health.Scope{wf}},
				{51, []int64{51}, KindIncidentOpened, StateFiring, health.SeverityCritical, "ICD-103-B", []health.Scope{wf, wp}},
			},
		},
		{
			name:   "a resolution does not absorb revocations",
			events: []Event{resolved(60, "ICD-103-B", 11), revoked(61, 11, wf)},
			want: []planned{
				{60, []int64{60}, KindIncidentResolved, StateResolved, health.SeverityCritical, "ICD-103-B", []health.Scope{wf, wp}},
				{61, []int64{61}, KindScopeRevoked, StateFiring, health.SeverityWarning, "", []health.Scope{wf}},
			},
		},
		{
			name: "history-only events alert on nothing",
			events: []Event{
				other(70, health.EventSuspected, "ICD-103-B"),
				other(71, health.EventScopeGranted, ""),
				other(72, health.EventCheckRecorded, ""),
				other(73, health.EventCredentialsRotated, ""),
				other(74, health.EventAlertFailed, "ICD-103-B"),
			},
			want: []planned{},
		},
		{
			name: "a B and an A incident in one check: only the B alerts by default",
			events: []Event{
				opened(80, "ICD-104-A", 12, rr),
				opened(81, "ICD-102-B", 12, us),
			},
			want: []planned{{81, []int64{81}, KindIncidentOpened, StateFiring, health.SeverityCritical, "ICD-102-B", []health.Scope{us}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := summarize(tt.policy.Plan(tt.events))
			if !slices.EqualFunc(got, tt.want, equalPlanned) {
				t.Errorf("Plan:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func equalPlanned(a, b planned) bool {
	return a.EventID == b.EventID && slices.Equal(a.EventIDs, b.EventIDs) && a.Kind == b.Kind &&
		a.State == b.State && a.Severity == b.Severity && a.Code == b.Code && slices.Equal(a.Scopes, b.Scopes)
}

func TestPlanDescribesAlerts(t *testing.T) {
	t.Parallel()
	p := Policy{PublicURL: "https://grantwatch.example.com/"}
	opened := event(12, health.EventIncidentOpened, "ICD-103-B", 4, health.ScopeReadWorkflows)
	opened.IncidentID = 3
	opened.Detail = "GET /public/api/v1/workflows: 403 FORBIDDEN"
	revoked := event(11, health.EventScopeRevoked, "", 5, health.ScopeReadRecords)
	revoked.Capability = health.CapabilityRecords
	resolved := event(13, health.EventIncidentResolved, "ICD-103-B", 6)
	resolved.At = t0.Add(3600e9)
	resolved.OpenedAt = t0
	resolved.Evidence = "incident evidence"
	resolved.Detail = "ignored when Evidence is set"

	alerts := p.Plan([]Event{opened, revoked, resolved})
	if len(alerts) != 3 {
		t.Fatalf("Plan returned %d alerts, want 3", len(alerts))
	}
	scopeOnly, incident, done := alerts[0], alerts[1], alerts[2]

	info, _ := health.Lookup("ICD-103-B")
	if incident.Title != info.Title || incident.Message != info.Message || !slices.Equal(incident.Remedy, info.Remedy) {
		t.Errorf("incident alert text = %q / %q, want the catalog's", incident.Title, incident.Message)
	}
	if incident.IncidentID != 3 || incident.CheckID != 4 || incident.Capability != health.CapabilityWorkflows {
		t.Errorf("incident alert ids = incident %d check %d capability %q", incident.IncidentID, incident.CheckID, incident.Capability)
	}
	if incident.Evidence != opened.Detail {
		t.Errorf("incident evidence = %q, want the event's detail", incident.Evidence)
	}
	if !incident.OpenedAt.Equal(t0) || incident.ResolvedAt != nil {
		t.Errorf("incident alert opened %v resolved %v, want opened at the event and not resolved", incident.OpenedAt, incident.ResolvedAt)
	}
	if want := "https://grantwatch.example.com/v1/tenants/acme/incidents"; incident.Link != want {
		t.Errorf("link = %q, want %q", incident.Link, want)
	}

	records, _ := health.Lookup("ICD-104-B")
	if want := "Scope public.records.readRecords revoked (records still available)"; scopeOnly.Title != want {
		t.Errorf("scope-only title = %q, want %q", scopeOnly.Title, want)
	}
	if !slices.Equal(scopeOnly.Remedy, records.Remedy) {
		t.Errorf("scope-only remedy = %q, want ICD-104-B's", scopeOnly.Remedy)
	}
	if scopeOnly.Code != "" || scopeOnly.IncidentID != 0 || !scopeOnly.OpenedAt.IsZero() {
		t.Errorf("scope-only alert has code %q incident %d opened %v, want none", scopeOnly.Code, scopeOnly.IncidentID, scopeOnly.OpenedAt)
	}

	if done.ResolvedAt == nil || !done.ResolvedAt.Equal(resolved.At) || !done.OpenedAt.Equal(t0) {
		t.Errorf("resolved alert opened %v resolved %v, want %v and %v", done.OpenedAt, done.ResolvedAt, t0, resolved.At)
	}
	if done.Evidence != "incident evidence" {
		t.Errorf("resolved evidence = %q, want the incident's", done.Evidence)
	}
}

func TestPlanDoesNotAliasItsInput(t *testing.T) {
	t.Parallel()
	e := event(1, health.EventIncidentOpened, "ICD-103-B", 1, health.ScopeReadWorkflows)
	alerts := Policy{}.Plan([]Event{e})
	alerts[0].Scopes[0] = "changed"
	if e.Scopes[0] != health.ScopeReadWorkflows {
		t.Errorf("changing an alert's scopes changed the event's: %q", e.Scopes)
	}
}

func TestScopeTitleNamesEveryScope(t *testing.T) {
	t.Parallel()
	got := scopeTitle([]health.Scope{health.ScopeReadRecords, health.ScopeReadAttachments, "x.y"}, health.CapabilityRecords)
	want := "Scopes public.records.readRecords, public.records.readAttachments and x.y revoked (records still available)"
	if got != want {
		t.Errorf("scopeTitle = %q, want %q", got, want)
	}
}
