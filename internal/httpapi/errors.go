package httpapi

import (
	"fmt"
	"net/http"
)

// Kind classifies an API error. Its zero value is KindInternal, so an error
// nobody classified is a 500.
type Kind uint8

// The kinds of API errors; Kind.describe maps each to its HTTP status.
const (
	// KindInternal: anything the caller cannot fix. The caller sees a
	// generic message; the cause is logged.
	KindInternal Kind = iota
	// KindInvalid: the request breaks a rule; Fields say which.
	KindInvalid
	// KindNotFound: no such tenant, or no such endpoint.
	KindNotFound
	// KindConflict: a live tenant already has that external id.
	KindConflict
	// KindUnauthorized: the bearer token is missing or wrong.
	KindUnauthorized
	// KindMethodNotAllowed: the endpoint exists, not with this method.
	KindMethodNotAllowed
	// KindTooLarge: the request body exceeds maxBodyBytes.
	KindTooLarge
	// KindUnsupportedMediaType: the request body is declared as something
	// other than JSON.
	KindUnsupportedMediaType
)

// describe is the one table from error kinds to HTTP: the status and the
// code the error body carries.
func (k Kind) describe() (status int, code string) {
	switch k {
	case KindInvalid:
		return http.StatusBadRequest, "invalid"
	case KindNotFound:
		return http.StatusNotFound, "not_found"
	case KindConflict:
		return http.StatusConflict, "conflict"
	case KindUnauthorized:
		return http.StatusUnauthorized, "unauthorized"
	case KindMethodNotAllowed:
		return http.StatusMethodNotAllowed, "method_not_allowed"
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge, "too_large"
	case KindUnsupportedMediaType:
		return http.StatusUnsupportedMediaType, "unsupported_media_type"
	}
	return http.StatusInternalServerError, "internal"
}

// Error is the one error type of the API: a Backend returns it to say what
// went wrong in terms the caller can act on. Any other error is internal.
type Error struct {
	Kind Kind
	// Message is shown to the caller as it is, so it must never hold a
	// secret.
	Message string
	// Fields name the request fields at fault (KindInvalid).
	Fields []FieldError
	// Err is the cause. It is logged when the error is internal and never
	// shown to the caller.
	Err error
}

// FieldError names one field of a request and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// Errorf returns an error of kind k whose message is shown to the caller.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a KindInvalid error naming the fields at fault.
func Invalid(fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Message: "the request is invalid; see fields", Fields: fields}
}

// Error is the message followed by the cause, for logs; callers are shown
// Message alone (a generic one when the error is internal).
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
