package alert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header that carries a webhook's signature.
const SignatureHeader = "GrantWatch-Signature"

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when Verify is given no tolerance. It bounds how long a
// captured request can be replayed.
const DefaultTolerance = 5 * time.Minute

// Errors returned by Verify. Malformed headers wrap ErrBadSignature, so a
// receiver needs to tell only these two apart (or neither).
var (
	ErrBadSignature   = errors.New("webhook signature does not match")
	ErrStaleTimestamp = errors.New("webhook signature timestamp is outside the tolerance")
)

// Sign returns the signature header value for a body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">". Signing the
// timestamp with the body stops a captured request from being replayed later
// with a fresh timestamp.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// Verify checks a signature header against the body as received. It accepts
// the header when one of its v1 signatures matches and its timestamp is
// within tolerance of now (DefaultTolerance when tolerance is zero or
// less). Several v1 values are allowed so that a sender may sign with an old
// and a new secret while receivers move over.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts, sigs, err := parseSignature(header)
	if err != nil {
		return err
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp is not a number of seconds", ErrBadSignature)
	}
	want := mac(secret, ts, body)
	matched := false
	for _, sig := range sigs {
		// hmac.Equal takes the same time wherever the first difference is,
		// so response timing does not reveal how much of a guess was right.
		matched = hmac.Equal(sig, want) || matched
	}
	if !matched {
		return ErrBadSignature
	}
	// The age is checked after the MAC so that an attacker cannot learn
	// anything from which error comes back for a forged header.
	if age := now.Sub(time.Unix(unix, 0)).Abs(); age > tolerance {
		return fmt.Errorf("%w: signed %s away from now, tolerance %s", ErrStaleTimestamp, age.Round(time.Second), tolerance)
	}
	return nil
}

// parseSignature splits "t=…,v1=…[,v1=…]" into the timestamp text and the
// decoded signatures. Unknown keys are ignored so that a later scheme (v2)
// can be added alongside v1.
func parseSignature(header string) (ts string, sigs [][]byte, err error) {
	for part := range strings.SplitSeq(header, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", nil, fmt.Errorf("%w: malformed header element %q", ErrBadSignature, clip(part, 20))
		}
		switch key {
		case "t":
			if ts != "" {
				return "", nil, fmt.Errorf("%w: more than one timestamp", ErrBadSignature)
			}
			ts = value
		case "v1":
			sig, err := hex.DecodeString(value)
			if err != nil || len(sig) != sha256.Size {
				return "", nil, fmt.Errorf("%w: v1 is not a hex SHA-256 MAC", ErrBadSignature)
			}
			sigs = append(sigs, sig)
		}
	}
	if ts == "" {
		return "", nil, fmt.Errorf("%w: no timestamp", ErrBadSignature)
	}
	if len(sigs) == 0 {
		return "", nil, fmt.Errorf("%w: no v1 signature", ErrBadSignature)
	}
	return ts, sigs, nil
}

// mac is HMAC-SHA256(secret, "<ts>.<body>").
func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}
