package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/rs/zerolog"
)

// writeJSON answers with v as JSON. Answers are never cached: they describe
// tenants' credentials and change with every check.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// An encoding error here means the client went away mid-answer;
	// there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Fields    []FieldError `json:"fields,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

// writeError answers with err through Kind.describe's table. An error that
// is not an *Error, or is internal, is answered with a generic message and
// logged with its cause under the request id, which the answer carries so
// that an operator can find the log line.
func writeError(w http.ResponseWriter, r *http.Request, log zerolog.Logger, err error) {
	apiErr, ok := errors.AsType[*Error](err)
	if !ok {
		apiErr = &Error{Kind: KindInternal, Err: err}
	}
	status, code := apiErr.Kind.describe()
	body := errorDetail{Code: code, Message: apiErr.Message, Fields: apiErr.Fields, RequestID: requestID(r)}
	if apiErr.Kind == KindInternal {
		body.Message = "internal error; the server's log has the details under this request id"
		// A caller that hung up cancels the work it asked for; that is
		// not the server failing.
		ev := log.Error()
		if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
			ev = log.Info()
		}
		ev.Err(err).Str("request_id", body.RequestID).Str("method", r.Method).
			Str("path", r.URL.Path).Msg("api request failed")
	}
	writeJSON(w, status, errorBody{Error: body})
}

// requestIDHeader is the answer header with the id the API gave the
// request; error bodies repeat it and log lines name it.
const requestIDHeader = "X-Request-Id"

// requestIDKey is the context key of the request id.
type requestIDKey struct{}

// withRequestID gives the request a fresh id: 16 random hex digits. A
// caller's own X-Request-Id is not trusted, since it would end up in logs.
func withRequestID(w http.ResponseWriter, r *http.Request) *http.Request {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	id := hex.EncodeToString(b[:])
	w.Header().Set(requestIDHeader, id)
	return r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
}

// requestID returns the id withRequestID gave the request.
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}
