package ironcladsim

import (
	"cmp"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// tokenRequest is a parsed POST /oauth/token.
type tokenRequest struct {
	grantType    string
	clientID     string
	clientSecret string
	scope        string
	scopeGiven   bool
	usedBasic    bool // the client authenticated with HTTP Basic
	// problem, when set, says why the request is malformed (it is answered
	// invalid_request). clientID may still be set, for attribution.
	problem string
}

// parseTokenRequest reads the token request's body (form or JSON) and the
// Basic credentials. It never fails outright: a malformed request is returned
// with problem set, so that it can still be attributed to a company and faulted.
func parseTokenRequest(r *http.Request) tokenRequest {
	var tr tokenRequest
	body, err := io.ReadAll(r.Body)
	if err != nil {
		tr.problem = "unreadable request body"
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			tr.problem = "request body too large"
		}
		return tr
	}
	fields, problem := tokenFields(r.Header.Get("Content-Type"), body)
	tr.problem = problem
	tr.grantType = fields.Get("grant_type")
	tr.clientID = fields.Get("client_id")
	tr.clientSecret = fields.Get("client_secret")
	tr.scope = fields.Get("scope")
	tr.scopeGiven = fields.Has("scope")

	if auth := r.Header.Get("Authorization"); auth != "" {
		id, secret, ok := parseBasic(auth)
		if !ok {
			tr.problem = cmp.Or(tr.problem, "malformed Basic credentials")
			return tr
		}
		tr.usedBasic = true
		switch {
		// [rfc] RFC 6749 §2.3: a client must not use more than one
		// authentication method in a request.
		case tr.clientSecret != "":
			tr.problem = cmp.Or(tr.problem, "multiple client authentication methods")
		case tr.clientID != "" && tr.clientID != id:
			tr.problem = cmp.Or(tr.problem, "client_id does not match the Authorization header")
		}
		tr.clientID, tr.clientSecret = id, secret
	}
	return tr
}

// tokenFields decodes a form or JSON body into form values, or says what is
// wrong with it. [doc] Ironclad shows a JSON body; [rfc] RFC 6749 §4.4.2 and
// golang.org/x/oauth2 send a form; [guess] Ironclad accepts both.
func tokenFields(contentType string, body []byte) (fields url.Values, problem string) {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return url.Values{}, fmt.Sprintf("unsupported content type %q", contentType)
	}
	switch mediaType {
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return url.Values{}, "malformed form body"
		}
		return v, ""
	case "application/json":
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return url.Values{}, "malformed JSON body"
		}
		v := url.Values{}
		var bad []string
		for k, x := range m {
			s, ok := x.(string)
			if !ok {
				bad = append(bad, k)
				continue
			}
			v.Set(k, s)
		}
		if len(bad) > 0 {
			slices.Sort(bad)
			return v, "Invalid or missing parameters: " + strings.Join(bad, ", ") + " must be a string"
		}
		return v, ""
	}
	return url.Values{}, fmt.Sprintf("unsupported content type %q", mediaType)
}

// parseBasic decodes HTTP Basic client credentials. [rfc] RFC 6749 §2.3.1:
// the id and the secret are each form-urlencoded before being joined and
// base64-encoded.
func parseBasic(header string) (id, secret string, ok bool) {
	scheme, payload, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(payload))
	if err != nil {
		return "", "", false
	}
	encID, encSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	id, errID := url.QueryUnescape(encID)
	secret, errSecret := url.QueryUnescape(encSecret)
	if errID != nil || errSecret != nil {
		return "", "", false
	}
	return id, secret, true
}

// tokenResponse is the client credentials grant's success body. [doc]
// ClientCredentialsGrantTokenResponse.
type tokenResponse struct {
	TokenType   string `json:"token_type"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// handleToken serves POST /oauth/token. The checks run in the order a server
// must apply them: a malformed request first, then client authentication,
// then the grant type, then the scopes. That order is what lets the client
// read unauthorized_client and invalid_scope as proof that the credentials
// are good.
func (s *Sim) handleToken(w http.ResponseWriter, r *http.Request) {
	tr := tokenRequestFrom(r)
	switch {
	case tr.problem != "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", tr.problem)
		return
	case tr.grantType == "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Invalid or missing parameters: grant_type is required")
		return
	case tr.clientID == "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Invalid or missing parameters: client_id is required")
		return
	case !isUUID(tr.clientID):
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", descClientIDNotUUID)
		return
	}
	requested := strings.Fields(tr.scope)

	s.mu.Lock()
	dialect := s.state.dialect
	a := s.state.liveApp(tr.clientID)
	authenticated := a != nil && tr.clientSecret != "" &&
		subtle.ConstantTimeCompare([]byte(a.secret), []byte(tr.clientSecret)) == 1
	var (
		grantAllowed bool
		unregistered []string
		granted      []string
		issued       string
		expiresIn    time.Duration
	)
	if authenticated {
		grantAllowed = a.clientCredentials
		unregistered, granted = splitScopes(a.scopes, requested, tr.scopeGiven && len(requested) > 0)
		if tr.grantType == "client_credentials" && grantAllowed && len(unregistered) == 0 {
			issued, expiresIn = s.issueToken(a, granted)
		}
	}
	s.mu.Unlock()

	switch {
	case !authenticated:
		// [rfc] RFC 6749 §5.2 asks for the challenge when the client used
		// Basic; many servers (the RFC dialect) leave it out.
		if tr.usedBasic && dialect != DialectRFC {
			w.Header().Set("WWW-Authenticate", basicRealm)
		}
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", descInvalidClient)
	case tr.grantType != "client_credentials":
		// The simulator supports only the client credentials grant;
		// Ironclad would go on to check an authorization code or refresh
		// token, which grantwatch never sends.
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type",
			fmt.Sprintf("grant type %q is not supported", tr.grantType))
	case !grantAllowed:
		status := statusUnauthorizedClientIronclad
		if dialect == DialectRFC {
			status = http.StatusBadRequest
		}
		writeOAuthError(w, status, "unauthorized_client", descUnauthorizedClient)
	case len(unregistered) > 0:
		writeOAuthError(w, http.StatusBadRequest, "invalid_scope",
			"requested scope is not registered for this client: "+strings.Join(unregistered, " "))
	default:
		noStore(w)
		writeJSON(w, http.StatusOK, tokenResponse{
			TokenType:   "Bearer",
			AccessToken: issued,
			ExpiresIn:   int64(expiresIn / time.Second),
			Scope:       strings.Join(granted, " "),
		})
	}
}

// splitScopes returns the requested scopes that are not registered and the
// scopes to grant: the requested ones (without duplicates) when any were
// requested, else every registered scope.
func splitScopes(registered, requested []string, explicit bool) (unregistered, granted []string) {
	if !explicit {
		return nil, slices.Clone(registered)
	}
	for _, sc := range requested {
		if slices.Contains(granted, sc) || slices.Contains(unregistered, sc) {
			continue
		}
		if slices.Contains(registered, sc) {
			granted = append(granted, sc)
		} else {
			unregistered = append(unregistered, sc)
		}
	}
	return unregistered, granted
}

// issueToken records a new access token for the app. Call with mu held.
func (s *Sim) issueToken(a *app, scopes []string) (string, time.Duration) {
	now := s.now()
	if now.Sub(s.state.prunedAt) > time.Minute {
		s.forgetOldTokens(now)
		s.state.prunedAt = now
	}
	tok := newAccessToken()
	s.state.tokens[tok] = &token{
		companyID: a.companyID,
		clientID:  a.clientID,
		scopes:    scopes,
		expiresAt: now.Add(s.tokenTTL),
	}
	return tok, s.tokenTTL
}

// forgetOldTokens drops tokens long expired, so that a long-running simulator
// does not grow without bound. Call with mu held.
func (s *Sim) forgetOldTokens(now time.Time) {
	for k, t := range s.state.tokens {
		if now.Sub(t.expiresAt) > expiredTokenRetention {
			delete(s.state.tokens, k)
		}
	}
}
