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
	var clientID, bearer string
	if r.Method == http.MethodPost && r.URL.Path == tokenPath {
		tr := parseTokenRequest(r)
		r = r.WithContext(context.WithValue(r.Context(), tokenRequestKey{}, tr))
		clientID = tr.clientID
	} else {
		bearer = bearerToken(r)
	}
	s.mu.Lock()
	companyID := s.state.attribute(clientID, bearer)
	s.state.calls[companyID]++
	plan := s.state.planFaults(companyID, r.URL.Path)
	s.mu.Unlock()

	if serveFaulted(w, r, plan, s.api) {
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

// tokenRequestFrom returns the token request ServeHTTP parsed. The API mux
// is only ever reached through ServeHTTP, which has read the body by then, so
// the parsed request is the only copy there is.
func tokenRequestFrom(r *http.Request) tokenRequest {
	tr, _ := r.Context().Value(tokenRequestKey{}).(tokenRequest)
	return tr
}

// attribute returns the company a request belongs to: by the client id of a
// token request (a deleted application's requests still count for its
// company) or by the bearer token of an API request, valid or not. It returns
// "" when neither names a company. Call with mu held.
func (st *state) attribute(clientID, bearer string) string {
	if a := st.apps[clientID]; a != nil {
		return a.companyID
	}
	if t := st.tokens[bearer]; t != nil {
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
