package ironcladsim

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTokenIssued(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		basic     bool
		json      bool
		scope     *string
		wantScope string
	}{
		{name: "form body creds, all scopes", scope: ptr(strings.Join(allScopes, " ")), wantScope: strings.Join(allScopes, " ")},
		{name: "JSON body creds, one scope", json: true, scope: ptr("public.records.readRecords"), wantScope: "public.records.readRecords"},
		{name: "Basic with form, two scopes", basic: true, scope: ptr("scim.users.readUsers  public.records.readRecords"), wantScope: "scim.users.readUsers public.records.readRecords"},
		{name: "Basic with JSON, duplicate scope", basic: true, json: true, scope: ptr("scim.users.readUsers scim.users.readUsers"), wantScope: "scim.users.readUsers"},
		{name: "no scope grants all registered", wantScope: strings.Join(allScopes, " ")},
		{name: "empty scope grants all registered", scope: ptr(""), wantScope: strings.Join(allScopes, " ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{TokenTTL: 30 * time.Minute})
			c := e.creds()
			c.basic = tt.basic
			resp := e.do(t, e.tokenRequest(t, c, tt.scope, tt.json))
			if resp.status != http.StatusOK {
				t.Fatalf("status %d, body %s", resp.status, resp.raw)
			}
			if got := resp.str("token_type"); got != "Bearer" {
				t.Errorf("token_type %q, want Bearer", got)
			}
			if resp.str("access_token") == "" {
				t.Error("empty access_token")
			}
			if got := resp.body["expires_in"]; got != float64(1800) {
				t.Errorf("expires_in %v, want 1800", got)
			}
			if got := resp.str("scope"); got != tt.wantScope {
				t.Errorf("scope %q, want %q", got, tt.wantScope)
			}
			if got := resp.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			if resp.header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}
