package cli

import (
	"errors"
	"slices"
	"testing"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/view"
)

// want is what a check and the history must show after one step.
type want struct {
	open, suspected []health.Code
	scopes          map[health.Scope]string // only the listed scopes are compared
}

func (h *harness) expect(step string, got checkJSON, w want) {
	h.t.Helper()
	if !got.Conclusive {
		h.t.Errorf("%s: check not conclusive: %+v", step, got)
	}
	if !slices.Equal(got.Open, view.List(w.open)) {
		h.t.Errorf("%s: open = %v, want %v", step, got.Open, w.open)
	}
	if !slices.Equal(got.Suspected, view.List(w.suspected)) {
		h.t.Errorf("%s: suspected = %v, want %v", step, got.Suspected, w.suspected)
	}
	for s, st := range w.scopes {
		if got.Scopes[s] != st {
			h.t.Errorf("%s: scope %s = %q, want %q", step, s, got.Scopes[s], st)
		}
	}
}

func (h *harness) expectHistory(ext string, code health.Code, state string) {
	h.t.Helper()
	for _, inc := range h.history("--tenant", ext, "--code", string(code)) {
		if inc.State == state {
			if inc.Message == "" || len(inc.Remedy) == 0 && code.Kind() == health.KindB {
				h.t.Errorf("history %s %s: message/remedy missing: %+v", ext, code, inc)
			}
			if state == "open" && inc.ResolvedAt != nil || state == "resolved" && inc.ResolvedAt == nil {
				h.t.Errorf("history %s %s: resolved_at inconsistent with state %s: %+v", ext, code, state, inc)
			}
			return
		}
	}
	h.t.Errorf("history of %s has no %s incident of %s", ext, state, code)
}

// TestScenarioACodes: setup mistakes open their A code on the first check.
func TestScenarioACodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		scopes  []string
		grant   bool
		secret  func(c company) string
		code    health.Code
		scopes_ map[health.Scope]string
	}{
		{"wrong-secret", allScopes, true, func(c company) string { return "wrong-" + c.secret }, "ICD-100-A", nil},
		{"no-grant-type", allScopes, false, nil, "ICD-101-A", nil},
		{"no-users-scope", without(allScopes, health.ScopeReadUsers), true, nil, "ICD-102-A",
			map[health.Scope]string{health.ScopeReadUsers: "never_granted", health.ScopeReadRecords: "granted"}},
		{"no-workflow-scopes", without(allScopes, health.ScopeReadWorkflows, health.ScopeReadParticipants), true, nil, "ICD-103-A", nil},
		{"no-record-scopes", without(allScopes, health.ScopeReadRecords, health.ScopeReadAttachments), true, nil, "ICD-104-A", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			c := h.addCompany(tc.name, tc.scopes, tc.grant)
			sec := c.secret
			if tc.secret != nil {
				sec = tc.secret(c)
			}
			h.addTenant(c, sec)
			h.expect("first check", h.check(c.ext), want{open: []health.Code{tc.code}, scopes: tc.scopes_})
			h.expectHistory(c.ext, tc.code, "open")
		})
	}
}

// TestScenarioBCodes: something that worked is taken away: suspected after
// the first definitive check, opened on the second, resolved on restore.
func TestScenarioBCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		code    health.Code
		break_  func(h *harness, c company) error
		restore func(h *harness, c company) error
	}{
		{"app-deleted", "ICD-100-B",
			func(h *harness, c company) error { return h.sim.DeleteApp(c.clientID) }, nil},
		{"grant-type-removed", "ICD-101-B",
			func(h *harness, c company) error { return h.sim.SetClientCredentialsGrant(c.clientID, false) },
			func(h *harness, c company) error { return h.sim.SetClientCredentialsGrant(c.clientID, true) }},
		{"acting-user-deactivated", "ICD-101-B",
			func(h *harness, c company) error { return h.sim.SetUserActive(c.ext, c.email, false) },
			func(h *harness, c company) error { return h.sim.SetUserActive(c.ext, c.email, true) }},
		{"users-scope-revoked", "ICD-102-B",
			func(h *harness, c company) error { return h.sim.RevokeScope(c.clientID, string(health.ScopeReadUsers)) },
			func(h *harness, c company) error { return h.sim.GrantScope(c.clientID, string(health.ScopeReadUsers)) }},
		{"workflow-scopes-revoked", "ICD-103-B",
			func(h *harness, c company) error {
				return errors.Join(h.sim.RevokeScope(c.clientID, string(health.ScopeReadWorkflows)), h.sim.RevokeScope(c.clientID, string(health.ScopeReadParticipants)))
			},
			func(h *harness, c company) error {
				return h.sim.GrantScope(c.clientID, string(health.ScopeReadParticipants))
			}},
		{"record-scopes-revoked", "ICD-104-B",
			func(h *harness, c company) error {
				return errors.Join(h.sim.RevokeScope(c.clientID, string(health.ScopeReadRecords)), h.sim.RevokeScope(c.clientID, string(health.ScopeReadAttachments)))
			},
			func(h *harness, c company) error {
				return h.sim.GrantScope(c.clientID, string(health.ScopeReadRecords))
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			c := h.addCompany(tc.name, allScopes, true)
			h.addTenant(c, c.secret)
			h.expect("healthy", h.check(c.ext), want{scopes: map[health.Scope]string{health.ScopeReadUsers: "granted"}})
			if err := tc.break_(h, c); err != nil {
				t.Fatal(err)
			}
			h.expect("first denial", h.check(c.ext), want{suspected: []health.Code{tc.code}})
			if got := h.history("--tenant", c.ext); len(got) != 0 {
				t.Errorf("a suspected code must not be an incident yet: %+v", got)
			}
			h.expect("second denial", h.check(c.ext), want{open: []health.Code{tc.code}})
			h.expectHistory(c.ext, tc.code, "open")
			if tc.restore == nil {
				return
			}
			if err := tc.restore(h, c); err != nil {
				t.Fatal(err)
			}
			h.expect("restored", h.check(c.ext), want{})
			h.expectHistory(c.ext, tc.code, "resolved")
			if open := h.history("--tenant", c.ext, "--open"); len(open) != 0 {
				t.Errorf("nothing should be open after the restore: %+v", open)
			}
		})
	}
}
