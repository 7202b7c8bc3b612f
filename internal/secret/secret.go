package secret

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/rs/zerolog"
)

const redacted = "[redacted]"

// Secret holds a sensitive string (a client secret, a signing key). Every
// way of printing it (fmt verbs, JSON, zerolog, slog) shows "[redacted]";
// only Reveal returns the value, so each use of the real value is explicit.
type Secret struct{ v string }

// New wraps a sensitive value.
func New(v string) Secret { return Secret{v: v} }

// Reveal returns the sensitive value. Call it only where the value leaves the
// process for its intended recipient (an HTTP request to Ironclad, a seal).
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String prints the redaction marker, never the value.
func (Secret) String() string { return redacted }

// GoString prints the redaction marker, never the value.
func (Secret) GoString() string { return redacted }

// Format prints the redaction marker for every verb. Without it, verbs that
// fmt does not route through String (%d, %t, %08b, ...) would print the
// struct's field, value included.
func (Secret) Format(f fmt.State, verb rune) {
	out := redacted
	if verb == 'q' {
		out = strconv.Quote(redacted)
	}
	_, _ = io.WriteString(f, out)
}

// MarshalJSON prints the redaction marker, never the value.
func (Secret) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }

// MarshalText prints the redaction marker, never the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue keeps the value out of slog output.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalZerologObject keeps the value out of zerolog output when logged as an object.
func (Secret) MarshalZerologObject(e *zerolog.Event) { e.Str("value", redacted) }
