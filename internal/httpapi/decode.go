package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/grantwatch/grantwatch/internal/secret"
)

// maxBodyBytes bounds a request body. The largest legitimate one (a new
// tenant) is well under a kilobyte.
const maxBodyBytes = 64 << 10

// decodeBody reads the request body into dst: exactly one JSON object, no
// field dst does not have, at most maxBodyBytes. Its errors never quote the
// body, which may hold a client secret: json's syntax errors quote the
// offending character, so every decoding error is replaced by our own words.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return Errorf(KindUnsupportedMediaType, "the body must be JSON (Content-Type: application/json)")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return decodeError(err)
		}
		return Errorf(KindInvalid, "the body must hold exactly one JSON object")
	}
	return nil
}

// decodeError turns a decoding error into an API error in our own words.
func decodeError(err error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return Errorf(KindTooLarge, "the body exceeds %d KiB", maxBodyBytes>>10)
	}
	if errors.Is(err, errNotAString) {
		return Invalid(FieldError{Field: "client_secret", Problem: "must be a string"})
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		return Invalid(FieldError{Field: te.Field, Problem: "must be " + jsonKind(te.Type.Kind().String())})
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return Errorf(KindInvalid, "the body is not valid JSON (at byte %d)", se.Offset)
	}
	// json reports unknown fields only as text. The field name is the
	// caller's own, not a value, so naming it is safe and is what helps.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return Invalid(FieldError{Field: strings.Trim(name, `"`), Problem: "is not a field of this request"})
	}
	switch {
	case errors.Is(err, io.EOF):
		return Errorf(KindInvalid, "the body is empty; want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(KindInvalid, "the body ends in the middle of its JSON")
	}
	return Errorf(KindInvalid, "the body must be a JSON object")
}

// jsonKind names a Go kind the way a JSON author thinks of it.
func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	}
	return "a number"
}

// errNotAString is what secretField says about a non-string value.
var errNotAString = errors.New("not a JSON string")

// secretField decodes a JSON string straight into a secret.Secret, so the
// value is never held in a plain string field of a request that could be
// logged or echoed by mistake.
type secretField struct{ secret.Secret }

// UnmarshalJSON wraps the string at once. null leaves the field empty, as
// for any other field. A non-string is refused without quoting it.
func (s *secretField) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("client secret: %w", errNotAString)
	}
	s.Secret = secret.New(v)
	return nil
}
