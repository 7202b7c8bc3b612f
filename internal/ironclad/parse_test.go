package ironclad

import (
	"maps"
	"testing"

	"github.com/grantwatch/grantwatch/internal/health"
)

func TestClassifyTokenError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		want     tokenVerdict
		wantCode string
	}{
		{"invalid_client 401", 401, `{"error":"invalid_client","error_description":"invalid client"}`, tokenInvalidClient, "invalid_client"},
		{"invalid_client 400", 400, `{"error":"invalid_client"}`, tokenInvalidClient, "invalid_client"},
		{"unauthorized_client 403 (Ironclad)", 403, `{"error":"unauthorized_client","error_description":"client not authorized to use this oauth grant type"}`, tokenUnauthorizedClient, "unauthorized_client"},
		{"unauthorized_client 400 (RFC)", 400, `{"error":"unauthorized_client"}`, tokenUnauthorizedClient, "unauthorized_client"},
		{"invalid_scope", 400, `{"error":"invalid_scope","error_description":"x"}`, tokenInvalidScope, "invalid_scope"},
		{"invalid_request about the client id", 400, `{"error":"invalid_request","error_description":"Invalid or missing parameters: Invalid value for client_id, expected type UUID"}`, tokenInvalidClient, "invalid_request"},
		{"other invalid_request", 400, `{"error":"invalid_request","error_description":"missing grant_type"}`, tokenInconclusive, "invalid_request"},
		{"unsupported_grant_type", 400, `{"error":"unsupported_grant_type"}`, tokenInconclusive, "unsupported_grant_type"},
		{"unknown code", 400, `{"error":"server_error"}`, tokenInconclusive, "server_error"},
		{"bare 401", 401, ``, tokenInconclusive, ""},
		{"401 with HTML", 401, `<html>Unauthorized</html>`, tokenInconclusive, ""},
		{"401 with garbled JSON", 401, `{"error":"invalid_cl`, tokenInconclusive, ""},
		{"error not a string", 401, `{"error":401}`, tokenInconclusive, ""},
		{"error with a quote", 401, `{"error":"invalid\"client"}`, tokenInconclusive, ""},
		{"empty error", 401, `{"error":""}`, tokenInconclusive, ""},
		{"description not a string", 401, `{"error":"invalid_client","error_description":{"a":1}}`, tokenInvalidClient, "invalid_client"},
		{"invalid_client from a 503", 503, `{"error":"invalid_client"}`, tokenInconclusive, "invalid_client"},
		{"invalid_client with 429", 429, `{"error":"invalid_client"}`, tokenInconclusive, "invalid_client"},
		{"error in a 200", 200, `{"error":"invalid_client"}`, tokenInconclusive, "invalid_client"},
		{"JSON array", 400, `["invalid_client"]`, tokenInconclusive, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, e, reason := classifyTokenError(tt.status, []byte(tt.body))
			if v != tt.want || e.code != tt.wantCode {
				t.Errorf("classifyTokenError(%d, %s) = %v, %q; want %v, %q", tt.status, tt.body, v, e.code, tt.want, tt.wantCode)
			}
			if !v.definitive() && reason == "" {
				t.Errorf("inconclusive verdict without a reason")
			}
		})
	}
}

func TestGrantedScopes(t *testing.T) {
	t.Parallel()
	ok, denied, inconclusive := health.OutcomeOK, health.OutcomeDenied, health.OutcomeInconclusive
	requested := []health.Scope{health.ScopeReadUsers, health.ScopeReadRecords}
	tests := []struct {
		name  string
		field any
		want  map[health.Scope]health.Outcome
	}{
		{"absent: grant equals request", nil, map[health.Scope]health.Outcome{health.ScopeReadUsers: ok, health.ScopeReadRecords: ok}},
		{"blank counts as absent", "  ", map[health.Scope]health.Outcome{health.ScopeReadUsers: ok, health.ScopeReadRecords: ok}},
		{"all listed", "public.records.readRecords scim.users.readUsers", map[health.Scope]health.Outcome{health.ScopeReadUsers: ok, health.ScopeReadRecords: ok}},
		{"one missing", "scim.users.readUsers extra.scope", map[health.Scope]health.Outcome{health.ScopeReadUsers: ok, health.ScopeReadRecords: denied}},
		{"unreadable type", []any{"scim.users.readUsers"}, map[health.Scope]health.Outcome{health.ScopeReadUsers: inconclusive, health.ScopeReadRecords: inconclusive}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := grantedScopes(requested, tt.field); !maps.Equal(got, tt.want) {
				t.Errorf("grantedScopes(%v) = %v, want %v", tt.field, got, tt.want)
			}
		})
	}
}

func TestClassifyProbe(t *testing.T) {
	t.Parallel()
	ok, denied, inconclusive := health.OutcomeOK, health.OutcomeDenied, health.OutcomeInconclusive
	tests := []struct {
		name        string
		status      int
		body        string
		placeholder bool
		want        health.Outcome
		wantCode    string
	}{
		{"200 list", 200, `{"page":0,"pageSize":1,"count":3,"list":[]}`, false, ok, ""},
		{"200 SCIM list", 200, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[]}`, false, ok, ""},
		{"200 HTML", 200, `<html><body>Maintenance</body></html>`, false, inconclusive, ""},
		{"200 truncated JSON", 200, `{"page":0,"li`, false, inconclusive, ""},
		{"200 JSON string", 200, `"ok"`, false, inconclusive, ""},
		{"401 revoked", 401, `{"code":"UNAUTHORIZED","message":"token has been revoked"}`, false, denied, "UNAUTHORIZED"},
		{"403 FORBIDDEN", 403, `{"code":"FORBIDDEN","message":"access forbidden"}`, false, denied, "FORBIDDEN"},
		{"403 SCIM", 403, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"403"}`, false, denied, ""},
		{"403 SCIM with detail", 403, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"403","scimType":"forbidden","detail":"nope"}`, false, denied, "forbidden"},
		{"403 empty", 403, ``, false, inconclusive, ""},
		{"403 HTML", 403, `<html>403 Forbidden</html>`, false, inconclusive, ""},
		{"403 lower-case code", 403, `{"code":"forbidden"}`, false, inconclusive, ""},
		{"403 other JSON", 403, `{"message":"denied"}`, false, inconclusive, ""},
		{"404 placeholder NOT_FOUND", 404, `{"code":"NOT_FOUND","message":"workflow not found"}`, true, ok, "NOT_FOUND"},
		{"404 placeholder RECORD_NOT_FOUND", 404, `{"code":"RECORD_NOT_FOUND"}`, true, ok, "RECORD_NOT_FOUND"},
		{"404 placeholder HTML", 404, `<html>Not Found</html>`, true, inconclusive, ""},
		{"404 list endpoint", 404, `{"code":"NOT_FOUND"}`, false, inconclusive, "NOT_FOUND"},
		{"429", 429, `{"code":"TOO_MANY_REQUESTS","message":"slow down"}`, false, inconclusive, "TOO_MANY_REQUESTS"},
		{"503", 503, `Service Unavailable`, false, inconclusive, ""},
		{"400", 400, `{"code":"INVALID_PARAM"}`, false, inconclusive, "INVALID_PARAM"},
		{"302", 302, ``, false, inconclusive, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := classifyProbe(tt.status, []byte(tt.body), tt.placeholder)
			if a.outcome != tt.want || a.body.code != tt.wantCode {
				t.Errorf("classifyProbe(%d, %s) = %q, %q; want %q, %q", tt.status, tt.body, a.outcome, a.body.code, tt.want, tt.wantCode)
			}
			if a.outcome == inconclusive && a.reason == "" {
				t.Errorf("inconclusive answer without a reason")
			}
		})
	}
}
