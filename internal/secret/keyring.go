package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// KeySize is the length in bytes of every key: AES-256.
const KeySize = 32

// maxKeyIDLen bounds key ids, which are stored beside every sealed value.
const maxKeyIDLen = 64

// Keyring seals with its primary key and unseals with any of its keys. It is
// immutable after construction and safe for concurrent use. Build one with
// NewKeyring or ParseKeyring; the zero value is not usable.
type Keyring struct {
	primary string
	// aeads holds ready ciphers rather than raw key bytes, so nothing that
	// reflects over a Keyring can print key material.
	aeads map[string]cipher.AEAD
}

// NewKeyring builds a keyring from keys by id. primaryID names the key that
// seals; it must be one of keys. Every key must be KeySize bytes and every id
// 1-64 characters of [A-Za-z0-9._-]. keys is not retained.
func NewKeyring(primaryID string, keys map[string][]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret: keyring has no keys")
	}
	if _, ok := keys[primaryID]; !ok {
		return nil, fmt.Errorf("secret: primary key %s is not in the keyring", describeID(primaryID))
	}
	k := &Keyring{primary: primaryID, aeads: make(map[string]cipher.AEAD, len(keys))}
	for id, key := range keys {
		if !validKeyID(id) {
			return nil, fmt.Errorf("secret: %s", invalidIDMessage)
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("secret: key %q: %w", id, err)
		}
		k.aeads[id] = aead
	}
	return k, nil
}

// PrimaryID returns the id of the key that seals.
func (k *Keyring) PrimaryID() string { return k.primary }

// String names the keys, primary first, and never their material.
func (k *Keyring) String() string {
	others := slices.Sorted(maps.Keys(k.aeads))
	others = slices.DeleteFunc(others, func(id string) bool { return id == k.primary })
	return fmt.Sprintf("secret.Keyring{primary: %q, others: %q}", k.primary, others)
}

// GoString is String, so %#v shows the same safe summary.
func (k *Keyring) GoString() string { return k.String() }

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("creating GCM: %w", err)
	}
	return aead, nil
}

const invalidIDMessage = "key id must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'"

func validKeyID(id string) bool {
	if id == "" || len(id) > maxKeyIDLen {
		return false
	}
	return !strings.ContainsFunc(id, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-')
	})
}

// describeID quotes a valid id for an error message. An invalid one is not
// echoed: a malformed entry may well be key material in the wrong place.
func describeID(id string) string {
	if validKeyID(id) {
		return fmt.Sprintf("%q", id)
	}
	return "(invalid id)"
}
