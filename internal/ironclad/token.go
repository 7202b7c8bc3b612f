package ironclad

import (
	"context"
	"errors"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/grantwatch/grantwatch/internal/health"
)

// tokenCall names the token exchange in evidence.
const tokenCall = "POST /oauth/token"

// tokenAnswer is the outcome of one token request.
type tokenAnswer struct {
	evidence health.Evidence
	verdict  tokenVerdict
	token    string                          // the access token, when issued
	granted  map[health.Scope]health.Outcome // per requested scope, when issued
}

// requestToken asks for a client-credentials token with the given scopes.
func (r *checkRun) requestToken(ctx context.Context, scopes []health.Scope) tokenAnswer {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	cfg := clientcredentials.Config{
		ClientID:     r.conn.ClientID,
		ClientSecret: r.conn.ClientSecret.Reveal(),
		TokenURL:     r.base + "/oauth/token",
		Scopes:       names,
		// Credentials go in the form body, as Ironclad's own examples
		// show. HTTP Basic would need each part form-urlencoded first
		// (RFC 6749 §2.3.1) and Ironclad does not say it decodes them, so
		// a secret with "+" or "%" could fail in the header only. Never
		// AutoDetect: it repeats every failed request in the other style,
		// doubling the calls exactly when a tenant is failing.
		AuthStyle: oauth2.AuthStyleInParams,
	}
	callCtx, cancel := context.WithTimeout(ctx, r.c.callTimeout)
	defer cancel()
	ex := new(exchange)
	tok, err := cfg.Token(withExchange(context.WithValue(callCtx, oauth2.HTTPClient, r.c.http), ex))

	var scope health.Scope
	if len(scopes) == 1 {
		scope = scopes[0]
	}
	rec := ex.snapshot()
	ev := r.evidenceFor(tokenCall, scope, rec)
	rerr, retrieveErr := errors.AsType[*oauth2.RetrieveError](err)
	switch {
	case rec.oversized:
		ev.Message = r.oversizedMessage()
	case err == nil:
		r.sensitive(tok.AccessToken)
		ev.Outcome = health.OutcomeOK
		return tokenAnswer{
			evidence: ev, verdict: tokenIssued, token: tok.AccessToken,
			granted: grantedScopes(scopes, tok.Extra("scope")),
		}
	case retrieveErr && rerr.Response != nil:
		// Only the parsed error fields are kept: RetrieveError.Body (and
		// so its Error string) holds the raw answer, which may echo what
		// was sent.
		v, oe, reason := classifyTokenError(rerr.Response.StatusCode, rerr.Body)
		ev.OAuthError = clean(oe.code, maxCodeRunes)
		if v.definitive() {
			ev.Outcome = health.OutcomeDenied
			ev.Message = clean(oe.description, maxMessageRunes)
		} else {
			ev.Message = explain(reason, oe.description)
		}
		return tokenAnswer{evidence: ev, verdict: v}
	default:
		ev.Message = failureMessage(callCtx, r.c.callTimeout, err)
	}
	return tokenAnswer{evidence: ev, verdict: tokenInconclusive}
}

// grant is what the token phase learned.
type grant struct {
	credentials, grant health.Outcome
	// scopes holds the Granted outcome of every integration scope, or
	// nothing when the token phase learned nothing about scopes.
	scopes map[health.Scope]health.Outcome
	// tokens holds, for each scope granted, the token to probe it with.
	tokens   map[health.Scope]string
	evidence []health.Evidence
}

// acquire asks for one token with all five integration scopes, and on
// invalid_scope learns scope by scope which are granted.
func (r *checkRun) acquire(ctx context.Context) grant {
	first := r.requestToken(ctx, health.Scopes)
	g := grant{
		scopes:   map[health.Scope]health.Outcome{},
		tokens:   map[health.Scope]string{},
		evidence: []health.Evidence{first.evidence},
	}
	switch first.verdict {
	case tokenIssued:
		g.credentials, g.grant = health.OutcomeOK, health.OutcomeOK
		g.scopes = first.granted
		for s, o := range first.granted {
			if o == health.OutcomeOK {
				g.tokens[s] = first.token
			}
		}
	case tokenInvalidClient:
		g.credentials = health.OutcomeDenied
	case tokenUnauthorizedClient:
		// Ironclad answers unauthorized_client only after authenticating
		// the client: the credentials are good, the grant type is not.
		g.credentials, g.grant = health.OutcomeOK, health.OutcomeDenied
	case tokenInvalidScope:
		g.credentials = health.OutcomeOK
		r.discover(ctx, &g)
	default:
		g.credentials = health.OutcomeInconclusive
	}
	return g
}

// discover asks for a token per integration scope, in parallel, after the
// request for all of them failed with invalid_scope. It relies only on what
// Ironclad documents: requested scopes must be a subset of the registered
// ones, so a scope asked for alone is issued exactly when it is registered.
// The alternatives are worse: what a request without scopes yields is not
// documented for the client credentials grant, and /oauth/userinfo (which
// lists a token's scopes) needs a token, which is what just failed.
func (r *checkRun) discover(ctx context.Context, g *grant) {
	answers := make([]tokenAnswer, len(health.Scopes))
	var wg sync.WaitGroup
	for i, s := range health.Scopes {
		wg.Go(func() { answers[i] = r.requestToken(ctx, []health.Scope{s}) })
	}
	wg.Wait()

	// The grant is OK as soon as any token is issued; an unauthorized_client
	// outranks an inconclusive answer, which outranks no answer.
	for i, s := range health.Scopes {
		a := answers[i]
		g.evidence = append(g.evidence, a.evidence)
		g.scopes[s] = health.OutcomeInconclusive
		switch a.verdict {
		case tokenIssued:
			g.grant = health.OutcomeOK
			g.scopes[s] = a.granted[s]
			if a.granted[s] == health.OutcomeOK {
				g.tokens[s] = a.token
			}
		case tokenInvalidScope:
			g.scopes[s] = health.OutcomeDenied
		case tokenUnauthorizedClient:
			if g.grant != health.OutcomeOK {
				g.grant = health.OutcomeDenied
			}
		default:
			if g.grant == health.OutcomeUnobserved {
				g.grant = health.OutcomeInconclusive
			}
		}
	}
}
