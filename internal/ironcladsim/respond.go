package ironcladsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		// Only the simulator's own types are marshalled; failing here is
		// a programming error worth a loud 500.
		http.Error(w, "ironcladsim: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// oauthError is the token endpoint's error body. [doc] [rfc] RFC 6749 §5.2.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeOAuthError answers a token request with an RFC 6749 §5.2 error.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	noStore(w)
	writeJSON(w, status, oauthError{Error: code, Description: description})
}

// noStore forbids caching, as RFC 6749 §5.1 requires of token responses.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// apiError is the Public API's (and the OAuth resource endpoints') error body.
// [doc] UnauthorizedError401, ForbiddenError403, NotFoundError404,
// BadRequestError400.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

// scimError is the SCIM error body. [doc] ForbiddenResponse403 and friends;
// RFC 7644 §3.12. Status is the HTTP status as a string.
type scimError struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	SCIMType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// isSCIM reports whether the request is for the SCIM API, whose errors have
// their own shape.
func isSCIM(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/scim/") }

// reply is a response computed under the lock and written after it is
// released, so that a slow client never holds up other requests.
type reply struct {
	status int
	body   any
}

// write sends the reply as JSON.
func (rp reply) write(w http.ResponseWriter) { writeJSON(w, rp.status, rp.body) }

// ok is a 200 reply.
func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

// errorReply builds an error in the shape of the API the path belongs to. On
// SCIM paths code is dropped and message becomes the detail, except on 403
// where Ironclad documents a body with only schemas and status.
func errorReply(r *http.Request, status int, e apiError) reply {
	if !isSCIM(r) {
		return reply{status: status, body: e}
	}
	body := scimError{Schemas: []string{scimErrorSchema}, Status: strconv.Itoa(status), Detail: e.Message}
	switch status {
	case http.StatusForbidden:
		body.Detail = ""
	case http.StatusBadRequest:
		body.SCIMType = "invalidValue"
	}
	return reply{status: status, body: body}
}

// The errors every resource endpoint can answer.

func unauthorized(r *http.Request, message string) reply {
	return errorReply(r, http.StatusUnauthorized, apiError{Code: "UNAUTHORIZED", Message: message})
}

func forbidden(r *http.Request) reply {
	return errorReply(r, http.StatusForbidden, apiError{Code: "FORBIDDEN", Message: msgForbidden})
}

func tooManyRequests(r *http.Request) reply {
	return errorReply(r, http.StatusTooManyRequests, apiError{Code: "TOO_MANY_REQUESTS", Message: msgTooManyRequests})
}

func notFound(r *http.Request, message, param string) reply {
	return errorReply(r, http.StatusNotFound, apiError{Code: "NOT_FOUND", Message: message, Param: param})
}

func invalidParam(r *http.Request, param, message string) reply {
	return errorReply(r, http.StatusBadRequest, apiError{Code: "INVALID_PARAM", Message: message, Param: param})
}
