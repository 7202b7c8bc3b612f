package ironclad

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/grantwatch/grantwatch/internal/health"
)

// FuzzParseTokenError feeds token error answers to the parser. Seeds are the
// bodies Ironclad documents (ironclad-oauth-20-api-openapi.yml) and near
// misses. Properties: no panic; a definitive verdict only from a 4xx other
// than 429 whose body is a JSON object with a documented error code; the
// kept strings are clean and bounded.
func FuzzParseTokenError(f *testing.F) {
	for _, seed := range []struct {
		status int
		body   string
	}{
		{400, `{"error":"invalid_request","error_description":"Invalid or missing parameters: Invalid value for client_id, expected type UUID"}`},
		{400, `{"error":"invalid_request","error_description":"missing redirect uri"}`},
		{400, `{"error":"invalid_scope","error_description":"requested scope is not registered"}`},
		{401, `{"error":"invalid_client","error_description":"invalid client"}`},
		{403, `{"error":"unauthorized_client","error_description":"client not authorized to use this oauth grant type"}`},
		{403, `{"error":"invalid_grant","error_description":"authorization code has expired"}`},
		{400, `{"error":"unauthorized_client"}`},
		{400, `{"error":"unsupported_grant_type"}`},
		{401, `{"error":"invalid_cl`},
		{401, `<html><head><title>401</title></head></html>`},
		{429, `{"code":"TOO_MANY_REQUESTS","message":"rate limited"}`},
		{503, `Service Unavailable`},
		{200, `{"error":"invalid_client"}`},
		{400, `{"error":"invalid_client","error":"x\u0000y"}`},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		v, e, reason := classifyTokenError(status, body)
		if v.definitive() {
			if status < 400 || status > 499 || status == 429 {
				t.Fatalf("definitive verdict %v from status %d", v, status)
			}
			var doc struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatalf("definitive verdict %v from a body that is no JSON object: %v", v, err)
			}
			documented := []string{"invalid_client", "unauthorized_client", "invalid_scope", "invalid_request"}
			if !slices.Contains(documented, doc.Error) || doc.Error != e.code {
				t.Fatalf("definitive verdict %v from error %q (parsed %q)", v, doc.Error, e.code)
			}
		} else if reason == "" {
			t.Fatalf("inconclusive verdict without a reason")
		}
		if e.code != "" && !validOAuthCode(e.code) {
			t.Fatalf("kept an invalid error code %q", e.code)
		}
		assertClean(t, clean(e.description, maxMessageRunes), maxMessageRunes)
	})
}

// FuzzParseProbeResponse feeds probe answers to the parser. Seeds are the
// Public API and SCIM bodies Ironclad documents and near misses.
// Properties: no panic; Denied only from a 401 or 403 whose body is a
// documented error (a JSON object with a code, or a SCIM error); OK only
// from a JSON object with a 2xx, or a placeholder 404.
func FuzzParseProbeResponse(f *testing.F) {
	for _, seed := range []struct {
		status      int
		body        string
		placeholder bool
	}{
		{200, `{"page":0,"pageSize":1,"count":1,"list":[{"id":"x"}]}`, false},
		{200, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[]}`, false},
		{401, `{"code":"UNAUTHORIZED","message":"invalid authentication token"}`, false},
		{401, `{"code":"UNAUTHORIZED","message":"token has been revoked"}`, false},
		{401, `{"code":"UNAUTHORIZED","message":"token has expired"}`, false},
		{403, `{"code":"FORBIDDEN","message":"access forbidden"}`, false},
		{403, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"403"}`, false},
		{401, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"invalid authentication token"}`, false},
		{404, `{"code":"NOT_FOUND","message":"workflow not found"}`, true},
		{429, `{"code":"TOO_MANY_REQUESTS","message":"rate limited"}`, false},
		{403, `<html>Forbidden</html>`, false},
		{200, `{"page":0,"li`, false},
		{503, ``, false},
	} {
		f.Add(seed.status, []byte(seed.body), seed.placeholder)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, placeholder bool) {
		a := classifyProbe(status, body, placeholder)
		var doc map[string]json.RawMessage
		isObject := json.Unmarshal(body, &doc) == nil && doc != nil
		switch a.outcome {
		case health.OutcomeDenied:
			if status != 401 && status != 403 {
				t.Fatalf("Denied from status %d", status)
			}
			var code string
			var schemas []string
			hasCode := isObject && json.Unmarshal(doc["code"], &code) == nil && code != ""
			isSCIM := isObject && json.Unmarshal(doc["schemas"], &schemas) == nil && slices.Contains(schemas, scimErrorSchema)
			if !hasCode && !isSCIM {
				t.Fatalf("Denied from a body that is no documented error: %q", body)
			}
		case health.OutcomeOK:
			if !isObject || !(status >= 200 && status < 300 || status == 404 && placeholder) {
				t.Fatalf("OK from status %d and body %q", status, body)
			}
		case health.OutcomeInconclusive:
			if a.reason == "" {
				t.Fatalf("inconclusive answer without a reason")
			}
		default:
			t.Fatalf("unexpected outcome %q", a.outcome)
		}
		assertClean(t, clean(a.body.message, maxMessageRunes), maxMessageRunes)
		assertClean(t, clean(a.body.code, maxCodeRunes), maxCodeRunes)
	})
}

// assertClean checks what clean promises: valid UTF-8, bounded, no control
// characters, no doubled or surrounding spaces.
func assertClean(t *testing.T, s string, maxRunes int) {
	t.Helper()
	switch {
	case !utf8.ValidString(s):
		t.Fatalf("cleaned string %q is not valid UTF-8", s)
	case utf8.RuneCountInString(s) > maxRunes:
		t.Fatalf("cleaned string has %d runes, over %d", utf8.RuneCountInString(s), maxRunes)
	case strings.ContainsFunc(s, unicode.IsControl):
		t.Fatalf("cleaned string %q holds control characters", s)
	case strings.Contains(s, "  ") || strings.TrimSpace(s) != s:
		t.Fatalf("cleaned string %q has stray spaces", s)
	}
}
