package ironclad

import (
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/grantwatch/grantwatch/internal/health"
)

// placeholderID names a workflow or record that cannot exist: well-formed
// (Ironclad ids are 24 hex digits) so that it passes any format check, and
// all zeros so that it never matches. Endpoints that need an id are probed
// with it; Ironclad checks authorization before existence, so its
// documented 404 NOT_FOUND proves the token and the acting user were let in.
const placeholderID = "000000000000000000000000"

// placeholderKey is the attachment key probed on the placeholder record.
const placeholderKey = "grantwatch-probe"

// probeSpec is the cheapest request that shows whether a scope is usable.
type probeSpec struct {
	path        string // request path and query, relative to the base URL
	call        string // how evidence names the call (placeholders as in Ironclad's docs)
	placeholder bool   // the path names placeholderID
}

// probeFor returns the probe of a scope.
func probeFor(s health.Scope) probeSpec {
	switch s {
	case health.ScopeReadUsers:
		return probeSpec{path: "/scim/v2/Users?count=1", call: "GET /scim/v2/Users"}
	case health.ScopeReadWorkflows:
		return probeSpec{path: "/public/api/v1/workflows?pageSize=1", call: "GET /public/api/v1/workflows"}
	case health.ScopeReadParticipants:
		return probeSpec{
			path:        "/public/api/v1/workflows/" + placeholderID + "/participants?pageSize=1",
			call:        "GET /public/api/v1/workflows/{id}/participants",
			placeholder: true,
		}
	case health.ScopeReadRecords:
		return probeSpec{path: "/public/api/v1/records?pageSize=1", call: "GET /public/api/v1/records"}
	case health.ScopeReadAttachments:
		return probeSpec{
			path:        "/public/api/v1/records/" + placeholderID + "/attachments/" + placeholderKey,
			call:        "GET /public/api/v1/records/{id}/attachments/{key}",
			placeholder: true,
		}
	}
	return probeSpec{}
}

// probeAll probes each capability once, in parallel, with the first granted
// scope that serves it (in health.ScopesOf order), and tries the second
// granted scope only when the first was denied: one usable scope is enough
// for a capability, so a sibling of a usable scope is left unobserved. It
// returns the Usable outcome of each probed scope and the evidence in
// capability order.
func (r *checkRun) probeAll(ctx context.Context, g grant) (map[health.Scope]health.Outcome, []health.Evidence) {
	perCapability := make([][]health.Evidence, len(health.Capabilities))
	var wg sync.WaitGroup
	for i, capability := range health.Capabilities {
		var candidates []health.Scope
		for _, s := range health.ScopesOf(capability) {
			if g.scopes[s] == health.OutcomeOK && g.tokens[s] != "" {
				candidates = append(candidates, s)
			}
		}
		if len(candidates) == 0 {
			continue
		}
		wg.Go(func() {
			for _, s := range candidates {
				ev := r.probe(ctx, s, g.tokens[s])
				perCapability[i] = append(perCapability[i], ev)
				if ev.Outcome != health.OutcomeDenied {
					return
				}
			}
		})
	}
	wg.Wait()

	usable := map[health.Scope]health.Outcome{}
	var evidence []health.Evidence
	for _, evs := range perCapability {
		for _, ev := range evs {
			usable[ev.Scope] = ev.Outcome
			evidence = append(evidence, ev)
		}
	}
	return usable, evidence
}

// probe makes the probe of one scope as the acting user.
func (r *checkRun) probe(ctx context.Context, s health.Scope, token string) health.Evidence {
	spec := probeFor(s)
	callCtx, cancel := context.WithTimeout(ctx, r.c.callTimeout)
	defer cancel()
	ex := new(exchange)
	body, err := r.get(withExchange(callCtx, ex), spec.path, token)
	rec := ex.snapshot()
	ev := r.evidenceFor(spec.call, s, rec)
	switch {
	case rec.oversized:
		ev.Message = r.oversizedMessage()
	case err != nil:
		ev.Message = failureMessage(callCtx, r.c.callTimeout, err)
	default:
		a := classifyProbe(rec.status, body, spec.placeholder)
		ev.Outcome = a.outcome
		ev.APIError = clean(a.body.code, maxCodeRunes)
		ev.Message = clean(a.body.message, maxMessageRunes)
		if a.outcome == health.OutcomeInconclusive {
			ev.Message = explain(a.reason, a.body.message)
		}
	}
	return ev
}

// get sends an authenticated GET as the acting user and reads the (bounded)
// body.
func (r *checkRun) get(ctx context.Context, path, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("x-as-user-email", r.conn.ActingUserEmail)
	req.Header.Set("Accept", "application/json")
	resp, err := r.c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
