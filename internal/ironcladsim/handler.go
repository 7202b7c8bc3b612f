package ironcladsim

import (
	"context"
	"net/http"
	"strings"
)

// ServeHTTP serves Ironclad's endpoints and the /_sim/ controls. Every
// response carries an X-Request-Id header, as Ironclad's do.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", newRequestID())
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if r.URL.Path == "/_sim" || strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.admin.ServeHTTP(w, r)
		return
	}

	// Attribute the request to a company before anything else, so that it
	// is counted and faulted even when it is malformed or will be refused.
	var companyID string
	if r.Method == http.MethodPost && r.URL.Path == tokenPath {
		tr := parseTokenRequest(r)
		r = r.WithContext(context.WithValue(r.Context(), tokenRequestKey{}, tr))
		companyID = s.companyOfClient(tr.clientID)
	} else {
		companyID = s.companyOfToken(bearerToken(r))
	}

	s.mu.Lock()
	s.state.calls[companyID]++
	plan := s.state.planFaults(companyID, r.URL.Path)
	s.mu.Unlock()

	if s.serveFaulted(w, r, plan, s.api) {
		return
	}
	s.api.ServeHTTP(w, r)
}

// The paths of Ironclad's endpoints the simulator serves.
const (
	tokenPath        = "/oauth/token"
	userinfoPath     = "/oauth/userinfo"
	companyInfoPath  = "/oauth/company-info"
	scimUsersPath    = "/scim/v2/Users"
	workflowsPath    = "/public/api/v1/workflows"
	participantsPath = "/public/api/v1/workflows/{id}/participants"
	recordsPath      = "/public/api/v1/records"
	attachmentPath   = "/public/api/v1/records/{id}/attachments/{key}"
)

// apiRoutes maps Ironclad's endpoints to their handlers, each with the scope
// it requires. [doc] The "OAuth Scope required" of each operation.
func (s *Sim) apiRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+tokenPath, s.handleToken)
	mux.Handle("GET "+userinfoPath, s.resource("", s.userinfo))
	mux.Handle("GET "+companyInfoPath, s.resource("", s.companyInfo))
	mux.Handle("GET "+scimUsersPath, s.resource("scim.users.readUsers", s.scimUsers))
	mux.Handle("GET "+workflowsPath, s.resource("public.workflows.readWorkflows", s.workflows))
	mux.Handle("GET "+participantsPath, s.resource("public.workflows.readParticipants", s.participants))
	mux.Handle("GET "+recordsPath, s.resource("public.records.readRecords", s.records))
	mux.Handle("GET "+attachmentPath, s.resource("public.records.readAttachments", s.attachment))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		notFound(r, "not found", "").write(w)
	})
	return mux
}

// tokenRequestKey is the context key of the parsed token request.
type tokenRequestKey struct{}

// tokenRequestFrom returns the token request ServeHTTP parsed.
func tokenRequestFrom(r *http.Request) tokenRequest {
	tr, ok := r.Context().Value(tokenRequestKey{}).(tokenRequest)
	if !ok {
		// Only reachable if the API mux is served without ServeHTTP.
		return parseTokenRequest(r)
	}
	return tr
}

// companyOfClient attributes a token request by its client id. A deleted
// application's requests still count for its company.
func (s *Sim) companyOfClient(clientID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.state.apps[clientID]; a != nil {
		return a.companyID
	}
	return ""
}

// companyOfToken attributes an API request by its bearer token, whether or not
// the token is still valid.
func (s *Sim) companyOfToken(tok string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.state.tokens[tok]; t != nil {
		return t.companyID
	}
	return ""
}

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}
