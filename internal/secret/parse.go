package secret

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// ParseKeyring parses a keyring in the GRANTWATCH_SECRET_KEYS format:
// comma-separated "id:base64key" entries, the first of which seals while all
// unseal. Keys are base64 (standard or URL alphabet, padded or not) of
// KeySize bytes; ids are 1-64 characters of [A-Za-z0-9._-] and unique.
// Whitespace around entries is ignored. Errors name entries by position and
// valid ids only, never key text.
func ParseKeyring(s string) (*Keyring, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("secret: keyring is empty: want id:base64key[,id:base64key...]")
	}
	keys := make(map[string][]byte)
	var primary string
	for i, entry := range strings.Split(s, ",") {
		n := i + 1
		id, encoded, ok := strings.Cut(entry, ":")
		id = strings.TrimSpace(id)
		switch {
		case strings.TrimSpace(entry) == "":
			return nil, fmt.Errorf("secret: keyring entry %d is empty", n)
		case !ok:
			return nil, fmt.Errorf("secret: keyring entry %d has no ':' between key id and key", n)
		case !validKeyID(id):
			return nil, fmt.Errorf("secret: keyring entry %d: %s", n, invalidIDMessage)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("secret: keyring entry %d repeats key id %q", n, id)
		}
		key, err := decodeKey(encoded)
		if err != nil {
			return nil, fmt.Errorf("secret: keyring key %q: %w", id, err)
		}
		keys[id] = key
		if primary == "" {
			primary = id
		}
	}
	return NewKeyring(primary, keys)
}

// keyEncodings are tried in turn. Standard and URL alphabets differ in two
// characters only, and padding is optional in practice, so accepting all four
// spares operators a confusing failure for a key that is plainly right.
var keyEncodings = []*base64.Encoding{
	base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
}

// decodeKey decodes one key. Its errors carry no part of the input, not even
// the offset of a bad character, which narrows down the key.
func decodeKey(encoded string) ([]byte, error) {
	encoded = strings.TrimSpace(encoded)
	if encoded == "" {
		return nil, errors.New("key is empty")
	}
	for _, enc := range keyEncodings {
		key, err := enc.DecodeString(encoded)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("key decodes to %d bytes, want %d", len(key), KeySize)
		}
		return key, nil
	}
	return nil, errors.New("key is not valid base64")
}

// GenerateKey returns a new random keyring entry, "id:base64key", with a
// random id, ready to be put first in GRANTWATCH_SECRET_KEYS.
func GenerateKey() (string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("secret: generating key: %w", err)
	}
	// rand.Text is base32 (A-Z, 2-7), which fits the id alphabet; eight
	// characters make a collision among a handful of keys negligible.
	id := "k" + strings.ToLower(rand.Text()[:8])
	return id + ":" + base64.StdEncoding.EncodeToString(key), nil
}
