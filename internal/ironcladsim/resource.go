package ironcladsim

import (
	"net/http"
	"slices"
	"strings"
)

// caller is who a resource request acts as, once authorized.
type caller struct {
	company *company
	token   *token
	user    *user
}

// resourceFunc computes a resource endpoint's reply. It runs with the lock
// held and must not block.
type resourceFunc func(r *http.Request, c caller) reply

// resource wraps a resource endpoint in Ironclad's checks, in this order:
// the bearer token, the scope the endpoint requires ("" for none), the acting
// user, the rate limit. Only then does the endpoint look at its data, so a 404
// for an unknown id proves that the token, scope and user were accepted.
// [doc] the checks; [guess] their order.
func (s *Sim) resource(scope string, serve resourceFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		c, rp, authorized := s.authorize(r, scope)
		if authorized {
			rp = serve(r, c)
		}
		s.mu.Unlock()
		rp.write(w)
	})
}

// authorize runs the checks every resource request passes. Call with mu held.
func (s *Sim) authorize(r *http.Request, scope string) (caller, reply, bool) {
	now := s.now()
	t := s.state.tokens[bearerToken(r)]
	switch {
	case t == nil:
		return caller{}, unauthorized(r, msgInvalidToken), false
	case t.revoked:
		return caller{}, unauthorized(r, msgRevokedToken), false
	case !now.Before(t.expiresAt):
		return caller{}, unauthorized(r, msgExpiredToken), false
	case scope != "" && !slices.Contains(t.scopes, scope):
		return caller{}, forbidden(r), false
	}
	c := s.state.companies[t.companyID]
	u := actingUser(r, c)
	if u == nil || !u.active {
		return caller{}, forbidden(r), false
	}
	if !c.allow(bucketOf(r.URL.Path), now) {
		return caller{}, tooManyRequests(r), false
	}
	return caller{company: c, token: t, user: u}, reply{}, true
}

// actingUser finds the user named by x-as-user-email or, failing that,
// x-as-user-id. [doc] One of them is required with client credentials tokens.
func actingUser(r *http.Request, c *company) *user {
	if email := strings.TrimSpace(r.Header.Get("X-As-User-Email")); email != "" {
		return c.userByEmail(email)
	}
	if id := strings.TrimSpace(r.Header.Get("X-As-User-Id")); id != "" {
		return c.userByID(id)
	}
	return nil
}
