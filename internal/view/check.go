package view

import (
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/jobs"
)

// Check is the verdict of one check: the `check --json` contract and the
// answer of POST /v1/tenants/{id}/check.
type Check struct {
	Tenant  string `json:"tenant"`
	CheckID int64  `json:"check_id"`
	// Conclusive: Ironclad answered definitively and the result was
	// recorded. An inconclusive check changed nothing.
	Conclusive bool `json:"conclusive"`
	// Dropped: the credentials were rotated while the check ran, so its
	// result was discarded; the ledger shown is the current one.
	Dropped   bool                    `json:"dropped,omitempty"`
	Open      []health.Code           `json:"open"`
	Suspected []health.Code           `json:"suspected"`
	Scopes    map[health.Scope]string `json:"scopes"`
	APICalls  int                     `json:"api_calls"`
	Alerts    int                     `json:"alerts_enqueued"`
	Evidence  []health.Evidence       `json:"evidence"`
}

// NewCheck shows what one verification produced.
func NewCheck(r jobs.Result) Check {
	l := r.Applied.Ledger
	return Check{
		Tenant: r.Tenant.ExternalID, CheckID: r.Applied.CheckID,
		Conclusive: r.Observation.Conclusive() && !r.Applied.Dropped, Dropped: r.Applied.Dropped,
		Open: List(l.OpenCodes()), Suspected: List(l.Suspected()),
		Scopes: ScopeStates(l.ScopeStates()), APICalls: r.Observation.APICalls,
		Alerts: len(r.Alerts), Evidence: List(r.Observation.Evidence),
	}
}

// ScopeStates shows each scope's state as a plain string, keyed by scope.
func ScopeStates(m map[health.Scope]health.ScopeState) map[health.Scope]string {
	out := make(map[health.Scope]string, len(m))
	for s, st := range m {
		out[s] = string(st)
	}
	return out
}
