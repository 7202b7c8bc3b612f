package secret

import (
	"crypto/rand"
	"errors"
	"fmt"
)

// Sealed is a secret encrypted for storage.
type Sealed struct {
	// KeyID names the keyring key that sealed the value.
	KeyID string
	// Ciphertext is the random nonce followed by the AES-256-GCM output
	// (encrypted value and authentication tag).
	Ciphertext []byte
}

// ErrUnknownKey means a sealed value names a key the keyring does not hold,
// typically one dropped from GRANTWATCH_SECRET_KEYS before every value was
// re-sealed.
var ErrUnknownKey = errors.New("secret: unknown key id")

// ErrTampered means a sealed value failed authentication: its ciphertext was
// altered or truncated, or it was sealed with different AAD (for another
// owner).
var ErrTampered = errors.New("secret: sealed value failed authentication")

// Seal encrypts s with the primary key. aad is authenticated but not stored:
// Unseal must be given the same bytes. Each call uses a fresh random nonce,
// so sealing the same secret twice gives different ciphertexts.
func (k *Keyring) Seal(s Secret, aad []byte) (Sealed, error) {
	aead := k.aeads[k.primary]
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(s.Reveal())+aead.Overhead())
	// Random 96-bit nonces are safe for about 2^32 seals per key, far
	// beyond the number of tenant secrets a key ever seals before rotation.
	if _, err := rand.Read(out); err != nil {
		return Sealed{}, fmt.Errorf("secret: generating nonce: %w", err)
	}
	out = aead.Seal(out, out, []byte(s.Reveal()), aad)
	return Sealed{KeyID: k.primary, Ciphertext: out}, nil
}

// Unseal decrypts v with the key it names and the aad it was sealed with.
// Errors wrap ErrUnknownKey or ErrTampered and name the key id only.
func (k *Keyring) Unseal(v Sealed, aad []byte) (Secret, error) {
	aead, ok := k.aeads[v.KeyID]
	if !ok {
		return Secret{}, fmt.Errorf("%w %s", ErrUnknownKey, describeID(v.KeyID))
	}
	if len(v.Ciphertext) < aead.NonceSize()+aead.Overhead() {
		return Secret{}, fmt.Errorf("%w (key %q): ciphertext is truncated", ErrTampered, v.KeyID)
	}
	nonce, body := v.Ciphertext[:aead.NonceSize()], v.Ciphertext[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, body, aad)
	if err != nil {
		// The cause from crypto/cipher says no more than this does.
		return Secret{}, fmt.Errorf("%w (key %q): altered, truncated or sealed for another owner", ErrTampered, v.KeyID)
	}
	return New(string(plain)), nil
}
