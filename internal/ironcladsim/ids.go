package ironcladsim

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// newUUID returns a random (version 4) UUID, the form of Ironclad client ids
// and record ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newObjectID returns 24 random hex digits, the form of Ironclad's company,
// user and workflow ids.
func newObjectID() string { return randomHex(12) }

// newRequestID returns a value for the X-Request-Id header.
func newRequestID() string { return randomHex(16) }

// randomSecret returns a random client secret.
func randomSecret() string { return randomHex(24) }

// newAccessToken returns a random, unguessable access token.
func newAccessToken() string { return rand.Text() + rand.Text() }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// isUUID reports whether s is a UUID of any version, in either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
