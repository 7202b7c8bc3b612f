package ironclad

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/grantwatch/grantwatch/internal/health"
)

// The parsers below read what Ironclad documents and nothing more. Anything
// they cannot read is inconclusive: a proxy's HTML page, a truncated body or
// a stranger's JSON says nothing about the tenant's grants.

// oauthError is the RFC 6749 §5.2 error of a token response.
type oauthError struct {
	code        string // "error"
	description string // "error_description", possibly empty
}

// parseOAuthError reads a JSON token error body. It reports false unless the
// body is a JSON object whose "error" is a non-empty string of the characters
// RFC 6749 allows in error codes. A malformed "error_description" is ignored.
func parseOAuthError(body []byte) (oauthError, bool) {
	var raw struct {
		Error       json.RawMessage `json:"error"`
		Description json.RawMessage `json:"error_description"`
	}
	if json.Unmarshal(body, &raw) != nil {
		return oauthError{}, false
	}
	var e oauthError
	if json.Unmarshal(raw.Error, &e.code) != nil || !validOAuthCode(e.code) {
		return oauthError{}, false
	}
	if json.Unmarshal(raw.Description, &e.description) != nil {
		e.description = ""
	}
	return e, true
}

// validOAuthCode reports whether s is a non-empty RFC 6749 error code:
// printable ASCII except the double quote and the backslash.
func validOAuthCode(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// tokenVerdict is what a token answer says about the tenant.
type tokenVerdict int

const (
	// tokenInconclusive: the answer says nothing definitive.
	tokenInconclusive tokenVerdict = iota
	// tokenIssued: a token was issued.
	tokenIssued
	// tokenInvalidClient: the credentials were refused.
	tokenInvalidClient
	// tokenUnauthorizedClient: the client authenticated but may not use the
	// client credentials grant.
	tokenUnauthorizedClient
	// tokenInvalidScope: the client authenticated but at least one requested
	// scope is not registered on it.
	tokenInvalidScope
)

// definitive reports whether the verdict is the provider's definitive answer.
func (v tokenVerdict) definitive() bool { return v != tokenInconclusive }

// classifyTokenError decides what an unsuccessful token answer means. The
// OAuth error code decides, not the status, because servers disagree on
// statuses (Ironclad documents unauthorized_client as 403, RFC 6749 servers
// answer 400), but only a 4xx other than 429 can carry a definitive error:
// a 2xx with an error, a 429 or a 5xx is a provider or proxy in trouble.
// reason explains an inconclusive verdict in our words.
func classifyTokenError(status int, body []byte) (v tokenVerdict, e oauthError, reason string) {
	e, ok := parseOAuthError(body)
	switch {
	case status == 429:
		return tokenInconclusive, e, "rate limited"
	case status >= 500:
		return tokenInconclusive, e, "server error"
	case status < 400:
		return tokenInconclusive, e, "unexpected answer without a token"
	case !ok:
		return tokenInconclusive, e, "refusal without a parseable OAuth error"
	}
	switch e.code {
	case "invalid_client":
		return tokenInvalidClient, e, ""
	case "unauthorized_client":
		return tokenUnauthorizedClient, e, ""
	case "invalid_scope":
		return tokenInvalidScope, e, ""
	case "invalid_request":
		// Ironclad validates the client id's format before looking it up
		// ("Invalid value for client_id, expected type UUID"): the
		// credentials are wrong, which is the customer's to fix. Any other
		// invalid_request is a request we built badly: our bug, not a
		// revocation.
		if d := strings.ToLower(e.description); strings.Contains(d, "client_id") && strings.Contains(d, "uuid") {
			return tokenInvalidClient, e, ""
		}
	}
	return tokenInconclusive, e, "OAuth error that is no verdict on the credentials or grants"
}

// grantedScopes reads the "scope" field of an issued token (the raw value
// x/oauth2 keeps as the token's extra) against the scopes requested. A scope
// requested but absent from the field was definitively refused. Without the
// field the grant equals the request (RFC 6749 §5.1). A blank field counts as
// absent: x/oauth2 cannot tell the two apart in form-encoded answers, and a
// wrong "granted" is caught by the probes whereas a wrong "denied" would
// raise a false alarm. A field of another type makes every scope
// inconclusive.
func grantedScopes(requested []health.Scope, field any) map[health.Scope]health.Outcome {
	out := make(map[health.Scope]health.Outcome, len(requested))
	var listed []string
	switch f := field.(type) {
	case nil:
	case string:
		listed = strings.Fields(f)
	default:
		for _, s := range requested {
			out[s] = health.OutcomeInconclusive
		}
		return out
	}
	for _, s := range requested {
		switch {
		case len(listed) == 0, slices.Contains(listed, string(s)):
			out[s] = health.OutcomeOK
		default:
			out[s] = health.OutcomeDenied
		}
	}
	return out
}

// scimErrorSchema is the schema URN of SCIM error bodies (RFC 7644 §3.12).
const scimErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// apiBody is what a Public API or SCIM response body says.
type apiBody struct {
	object    bool   // the body is a JSON object
	code      string // Public API "code" (such as FORBIDDEN), or SCIM "scimType"
	message   string // Public API "message", or SCIM "detail"
	scimError bool   // the body is a SCIM error
}

// parseAPIBody reads a Public API or SCIM body. It never fails: what it
// cannot read stays empty.
func parseAPIBody(body []byte) apiBody {
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil || raw == nil {
		return apiBody{}
	}
	b := apiBody{object: true}
	var schemas []string
	if json.Unmarshal(raw["schemas"], &schemas) == nil && slices.Contains(schemas, scimErrorSchema) {
		b.scimError = true
		b.code = stringField(raw, "scimType")
		b.message = stringField(raw, "detail")
		return b
	}
	if code := stringField(raw, "code"); validAPICode(code) {
		b.code = code
	}
	b.message = stringField(raw, "message")
	return b
}

// stringField returns the string value of a field, or "" when it is missing
// or not a string.
func stringField(raw map[string]json.RawMessage, name string) string {
	var s string
	if json.Unmarshal(raw[name], &s) != nil {
		return ""
	}
	return s
}

// validAPICode reports whether s looks like a Public API error code: upper
// case letters, digits and underscores, starting with a letter.
func validAPICode(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// probeAnswer is what a probe's response says about the probed scope.
type probeAnswer struct {
	outcome health.Outcome
	body    apiBody
	reason  string // why the answer is inconclusive, in our words
}

// classifyProbe decides what a probe's response means. placeholder says the
// request named an id that cannot exist, so that a documented NOT_FOUND
// proves the token and the acting user passed authorization (Ironclad checks
// authorization before existence).
func classifyProbe(status int, body []byte, placeholder bool) probeAnswer {
	b := parseAPIBody(body)
	a := probeAnswer{outcome: health.OutcomeInconclusive, body: b}
	switch {
	case status >= 200 && status < 300:
		if b.object {
			a.outcome = health.OutcomeOK
		} else {
			a.reason = "answer is not a JSON object"
		}
	case status == 404 && placeholder:
		if b.code == "NOT_FOUND" || strings.HasSuffix(b.code, "_NOT_FOUND") {
			a.outcome = health.OutcomeOK
		} else {
			a.reason = "404 without the documented NOT_FOUND body"
		}
	case status == 401 || status == 403:
		if b.code != "" || b.scimError {
			a.outcome = health.OutcomeDenied
		} else {
			a.reason = "refusal without a documented error body"
		}
	case status == 429:
		a.reason = "rate limited"
	case status >= 500:
		a.reason = "server error"
	default:
		a.reason = "unexpected status"
	}
	return a
}
