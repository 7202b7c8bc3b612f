package alert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestSignFollowsTheRecipe(t *testing.T) {
	t.Parallel()
	secret, body := []byte("whsec-test"), []byte(`{"event_id":42}`)
	at := time.Unix(1741944413, 0)

	// The recipe receivers are told to implement, computed independently.
	h := hmac.New(sha256.New, secret)
	fmt.Fprintf(h, "%d.%s", at.Unix(), body)
	want := fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(h.Sum(nil)))

	if got := Sign(secret, at, body); got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	secret, body := []byte("whsec-test"), []byte(`{"event_id":42}`)
	signedAt := time.Unix(1741944413, 0)
	header := Sign(secret, signedAt, body)
	ts, sig, _ := strings.Cut(header, ",")
	otherSig := strings.TrimPrefix(Sign([]byte("old-secret"), signedAt, body), ts+",")
	// flipLast changes the MAC's last hex digit, so that a comparison that
	// stops early or checks a prefix would still accept it.
	flipLast := func(s string) string {
		last := s[len(s)-1]
		repl := byte('0')
		if last == '0' {
			repl = '1'
		}
		return s[:len(s)-1] + string(repl)
	}

	tests := []struct {
		name      string
		secret    []byte
		header    string
		body      []byte
		now       time.Time
		tolerance time.Duration
		want      error // nil, ErrBadSignature or ErrStaleTimestamp
	}{
		{"valid", secret, header, body, signedAt.Add(time.Minute), 0, nil},
		{"valid with spaces", secret, ts + ", " + sig, body, signedAt, 0, nil},
		{"keys in any order", secret, sig + "," + ts, body, signedAt, 0, nil},
		{"one of several v1 matches", secret, header + "," + otherSig, body, signedAt, 0, nil},
		{"unknown schemes are ignored", secret, header + ",v0=abc", body, signedAt, 0, nil},
		{"changed body", secret, header, []byte(`{"event_id":43}`), signedAt, 0, ErrBadSignature},
		{"wrong secret", []byte("other"), header, body, signedAt, 0, ErrBadSignature},
		{"last digit changed", secret, flipLast(header), body, signedAt, 0, ErrBadSignature},
		{"timestamp changed", secret, "t=1741944414," + sig, body, signedAt, 0, ErrBadSignature},
		{"truncated MAC", secret, header[:len(header)-2], body, signedAt, 0, ErrBadSignature},
		{"stale beyond default tolerance", secret, header, body, signedAt.Add(DefaultTolerance + time.Second), 0, ErrStaleTimestamp},
		{"from the future beyond tolerance", secret, header, body, signedAt.Add(-DefaultTolerance - time.Second), 0, ErrStaleTimestamp},
		{"at the tolerance edge", secret, header, body, signedAt.Add(DefaultTolerance), 0, nil},
		{"custom tolerance", secret, header, body, signedAt.Add(2 * time.Minute), time.Minute, ErrStaleTimestamp},
		{"empty header", secret, "", body, signedAt, 0, ErrBadSignature},
		{"no timestamp", secret, sig, body, signedAt, 0, ErrBadSignature},
		{"no signature", secret, ts, body, signedAt, 0, ErrBadSignature},
		{"two timestamps", secret, ts + "," + header, body, signedAt, 0, ErrBadSignature},
		{"timestamp not a number", secret, "t=soon," + sig, body, signedAt, 0, ErrBadSignature},
		{"signature not hex", secret, ts + ",v1=zz", body, signedAt, 0, ErrBadSignature},
		{"element without =", secret, header + ",junk", body, signedAt, 0, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Verify(tt.secret, tt.header, tt.body, tt.now, tt.tolerance)
			switch {
			case tt.want == nil && err != nil:
				t.Errorf("Verify(%q) = %v, want nil", tt.header, err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("Verify(%q) = %v, want %v", tt.header, err, tt.want)
			}
		})
	}
}

// A forged header must fail as a bad signature even when its timestamp is
// also stale, so that the error does not tell a forger which part is wrong.
func TestVerifyChecksTheMACBeforeTheAge(t *testing.T) {
	t.Parallel()
	header := Sign([]byte("forger"), time.Unix(0, 0), []byte("x"))
	err := Verify([]byte("secret"), header, []byte("x"), time.Unix(1741944413, 0), 0)
	if !errors.Is(err, ErrBadSignature) || errors.Is(err, ErrStaleTimestamp) {
		t.Errorf("Verify = %v, want only ErrBadSignature", err)
	}
}
