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

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	const unknownClient = "0f8fad5b-d9cb-469f-a165-70867728950e"
	tests := []struct {
		name      string
		dialect   Dialect
		setup     func(t *testing.T, e *env)
		request   func(t *testing.T, e *env) *http.Request
		status    int
		code      string
		challenge bool // WWW-Authenticate: Basic realm="ironclad" expected
	}{
		{
			name:    "unknown client in body",
			request: credsRequest(tokenCreds{id: unknownClient, secret: "s"}),
			status:  401, code: "invalid_client",
		},
		{
			name:    "unknown client with Basic (Ironclad challenges)",
			request: credsRequest(tokenCreds{id: unknownClient, secret: "s", basic: true}),
			status:  401, code: "invalid_client", challenge: true,
		},
		{
			name:    "unknown client with Basic (RFC dialect does not challenge)",
			dialect: DialectRFC,
			request: credsRequest(tokenCreds{id: unknownClient, secret: "s", basic: true}),
			status:  401, code: "invalid_client",
		},
		{
			name: "wrong secret",
			request: func(t *testing.T, e *env) *http.Request {
				return e.tokenRequest(t, tokenCreds{id: e.demo.ClientID, secret: "wrong"}, nil, true)
			},
			status: 401, code: "invalid_client",
		},
		{
			name: "empty secret",
			request: func(t *testing.T, e *env) *http.Request {
				return e.tokenRequest(t, tokenCreds{id: e.demo.ClientID}, nil, false)
			},
			status: 401, code: "invalid_client",
		},
		{
			name:    "old secret after rotation",
			setup:   func(t *testing.T, e *env) { mustRotate(t, e) },
			request: demoRequest(false, nil),
			status:  401, code: "invalid_client",
		},
		{
			name: "deleted app",
			setup: func(t *testing.T, e *env) {
				if err := e.sim.DeleteApp(e.demo.ClientID); err != nil {
					t.Fatal(err)
				}
			},
			request: demoRequest(true, nil),
			status:  401, code: "invalid_client", challenge: true,
		},
		{
			name:    "grant disabled (Ironclad: 403)",
			setup:   disableGrant,
			request: demoRequest(false, nil),
			status:  403, code: "unauthorized_client",
		},
		{
			name:    "grant disabled (RFC: 400)",
			dialect: DialectRFC,
			setup:   disableGrant,
			request: demoRequest(true, nil),
			status:  400, code: "unauthorized_client",
		},
		{
			name:    "unregistered scope fails the whole request",
			request: demoRequest(false, ptr("scim.users.readUsers public.records.createRecords")),
			status:  400, code: "invalid_scope",
		},
		{
			name: "revoked scope",
			setup: func(t *testing.T, e *env) {
				if err := e.sim.RevokeScope(e.demo.ClientID, "scim.users.readUsers"); err != nil {
					t.Fatal(err)
				}
			},
			request: demoRequest(false, ptr(strings.Join(allScopes, " "))),
			status:  400, code: "invalid_scope",
		},
		{
			name:    "client id not a UUID",
			request: credsRequest(tokenCreds{id: "6013609108b8f070cee94fc1", secret: "s"}),
			status:  400, code: "invalid_request",
		},
		{
			name:    "missing client id",
			request: credsRequest(tokenCreds{secret: "s"}),
			status:  400, code: "invalid_request",
		},
		{
			name:    "missing grant type",
			request: rawRequest("application/x-www-form-urlencoded", "client_id=x&client_secret=y", ""),
			status:  400, code: "invalid_request",
		},
		{
			name:    "unsupported content type",
			request: rawRequest("text/plain", "grant_type=client_credentials", ""),
			status:  400, code: "invalid_request",
		},
		{
			name:    "malformed JSON",
			request: rawRequest("application/json", `{"grant_type":`, ""),
			status:  400, code: "invalid_request",
		},
		{
			name:    "JSON field not a string",
			request: rawRequest("application/json", `{"grant_type":"client_credentials","scope":["a"]}`, ""),
			status:  400, code: "invalid_request",
		},
		{
			name:    "malformed Basic",
			request: rawRequest("application/x-www-form-urlencoded", "grant_type=client_credentials", "Basic !!!"),
			status:  400, code: "invalid_request",
		},
		{
			name: "Basic and body secret together",
			request: func(t *testing.T, e *env) *http.Request {
				req := e.tokenRequest(t, e.creds(), nil, false)
				req.Header.Set("Authorization", basicHeader(e.demo.ClientID, e.demo.ClientSecret))
				return req
			},
			status: 400, code: "invalid_request",
		},
		{
			name: "body too large",
			request: rawRequest("application/x-www-form-urlencoded",
				"grant_type=client_credentials&pad="+strings.Repeat("x", maxBodyBytes), ""),
			status: 400, code: "invalid_request",
		},
		{
			name: "other grant type",
			request: func(t *testing.T, e *env) *http.Request {
				return rawRequest("application/x-www-form-urlencoded",
					"grant_type=password&client_id="+e.demo.ClientID+"&client_secret="+e.demo.ClientSecret, "")(t, e)
			},
			status: 400, code: "unsupported_grant_type",
		},
		{
			name: "other grant type with a wrong secret is a client error first",
			request: func(t *testing.T, e *env) *http.Request {
				return rawRequest("application/x-www-form-urlencoded",
					"grant_type=password&client_id="+e.demo.ClientID+"&client_secret=wrong", "")(t, e)
			},
			status: 401, code: "invalid_client",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{Dialect: tt.dialect})
			if tt.setup != nil {
				tt.setup(t, e)
			}
			resp := e.do(t, tt.request(t, e))
			if resp.status != tt.status || resp.str("error") != tt.code {
				t.Fatalf("got %d %q, want %d %q (body %s)", resp.status, resp.str("error"), tt.status, tt.code, resp.raw)
			}
			if resp.str("error_description") == "" {
				t.Error("no error_description")
			}
			if _, issued := resp.body["access_token"]; issued {
				t.Error("an error response carries an access_token")
			}
			gotChallenge := resp.header.Get("WWW-Authenticate")
			if tt.challenge && gotChallenge != `Basic realm="ironclad"` {
				t.Errorf("WWW-Authenticate %q, want the Basic challenge", gotChallenge)
			}
			if !tt.challenge && gotChallenge != "" {
				t.Errorf("unexpected WWW-Authenticate %q", gotChallenge)
			}
		})
	}
}

// credsRequest builds a form token request with the given credentials.
func credsRequest(c tokenCreds) func(*testing.T, *env) *http.Request {
	return func(t *testing.T, e *env) *http.Request { return e.tokenRequest(t, c, nil, false) }
}

// demoRequest builds a token request with the demo app's credentials.
func demoRequest(basic bool, scope *string) func(*testing.T, *env) *http.Request {
	return func(t *testing.T, e *env) *http.Request {
		c := e.creds()
		c.basic = basic
		return e.tokenRequest(t, c, scope, false)
	}
}

// rawRequest builds a token request from a literal body.
func rawRequest(contentType, body, authorization string) func(*testing.T, *env) *http.Request {
	return func(t *testing.T, e *env) *http.Request {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+tokenPath, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		return req
	}
}

func disableGrant(t *testing.T, e *env) {
	t.Helper()
	if err := e.sim.SetClientCredentialsGrant(e.demo.ClientID, false); err != nil {
		t.Fatal(err)
	}
}

func mustRotate(t *testing.T, e *env) string {
	t.Helper()
	secret, err := e.sim.RotateSecret(e.demo.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if secret == "" || secret == e.demo.ClientSecret {
		t.Fatalf("RotateSecret returned %q", secret)
	}
	return secret
}

func TestTokenErrorDescriptionsNameOnlyUnregisteredScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	resp := e.do(t, e.tokenRequest(t, e.creds(), ptr("scim.users.readUsers public.records.createRecords x.y"), false))
	want := "requested scope is not registered for this client: public.records.createRecords x.y"
	if got := resp.str("error_description"); got != want {
		t.Errorf("error_description %q, want %q", got, want)
	}
}

func TestRotatedSecretWorksAndKeepsTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	old := e.token(t)
	e.demo.ClientSecret = mustRotate(t, e)
	if e.token(t) == "" {
		t.Fatal("no token with the new secret")
	}
	if resp := e.get(t, userinfoPath, old, e.demo.ActingUserEmail); resp.status != http.StatusOK {
		t.Errorf("token issued before rotation: status %d, want 200", resp.status)
	}
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{TokenTTL: 10 * time.Minute})
	tok := e.token(t)
	e.clock.Advance(10*time.Minute - time.Second)
	if resp := e.get(t, userinfoPath, tok, e.demo.ActingUserEmail); resp.status != http.StatusOK {
		t.Fatalf("before expiry: status %d", resp.status)
	}
	e.clock.Advance(time.Second)
	resp := e.get(t, userinfoPath, tok, e.demo.ActingUserEmail)
	if resp.status != http.StatusUnauthorized || resp.str("message") != "token has expired" {
		t.Errorf("at expiry: %d %s, want 401 token has expired", resp.status, resp.raw)
	}
}

func TestLongExpiredTokensAreForgotten(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{TokenTTL: time.Minute})
	tok := e.token(t)
	e.clock.Advance(time.Minute + expiredTokenRetention + time.Second)
	_ = e.token(t) // issuing prunes
	resp := e.get(t, userinfoPath, tok, e.demo.ActingUserEmail)
	if resp.str("message") != "invalid authentication token" {
		t.Errorf("long-expired token: %s, want invalid authentication token", resp.raw)
	}
}

func TestDeletedAppRevokesTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	if err := e.sim.DeleteApp(e.demo.ClientID); err != nil {
		t.Fatal(err)
	}
	resp := e.get(t, userinfoPath, tok, e.demo.ActingUserEmail)
	if resp.status != http.StatusUnauthorized || resp.str("message") != "token has been revoked" {
		t.Errorf("after delete: %d %s, want 401 token has been revoked", resp.status, resp.raw)
	}
}

func TestRevokedScopeKeepsIssuedTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t, "scim.users.readUsers")
	if err := e.sim.RevokeScope(e.demo.ClientID, "scim.users.readUsers"); err != nil {
		t.Fatal(err)
	}
	if resp := e.get(t, scimUsersPath, tok, e.demo.ActingUserEmail); resp.status != http.StatusOK {
		t.Errorf("token issued before revocation: status %d, want 200", resp.status)
	}
	fresh := e.token(t) // no scope requested: every registered scope
	resp := e.get(t, userinfoPath, fresh, e.demo.ActingUserEmail)
	scopes, _ := resp.body["scopes"].([]any)
	if len(scopes) != len(allScopes)-1 {
		t.Errorf("fresh token scopes %v, want the four still registered", scopes)
	}
	if err := e.sim.GrantScope(e.demo.ClientID, "scim.users.readUsers"); err != nil {
		t.Fatal(err)
	}
	if e.token(t, "scim.users.readUsers") == "" {
		t.Error("no token after granting the scope again")
	}
}

func TestSetDialect(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	disableGrant(t, e)
	if resp := e.do(t, e.tokenRequest(t, e.creds(), nil, false)); resp.status != 403 {
		t.Fatalf("Ironclad dialect: status %d, want 403", resp.status)
	}
	e.sim.SetDialect(DialectRFC)
	if resp := e.do(t, e.tokenRequest(t, e.creds(), nil, false)); resp.status != 400 {
		t.Fatalf("RFC dialect: status %d, want 400", resp.status)
	}
}

func TestDefaultTokenTTL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	resp := e.do(t, e.tokenRequest(t, e.creds(), nil, false))
	if got := resp.body["expires_in"]; got != float64(3600) {
		t.Errorf("expires_in %v, want 3600", got)
	}
	tok := resp.str("access_token")
	e.clock.Advance(time.Hour)
	if resp := e.get(t, userinfoPath, tok, e.demo.ActingUserEmail); resp.str("message") != "token has expired" {
		t.Errorf("after an hour: %s, want token has expired", resp.raw)
	}
}
