package secret

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var tenantAAD = []byte("tenant:acme-prod")

// mustSeal seals s with k or fails the test.
func mustSeal(t *testing.T, k *Keyring, s string, aad []byte) Sealed {
	t.Helper()
	sealed, err := k.Seal(New(s), aad)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return sealed
}

func TestSealRoundTrip(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, "k1:"+b64(testKey(1))+",k0:"+b64(testKey(0)))
	for _, s := range []string{"", "x", plaintext, "ünïcödé ✓", strings.Repeat("long ", 1000)} {
		sealed := mustSeal(t, k, s, tenantAAD)
		if sealed.KeyID != "k1" {
			t.Errorf("KeyID = %q, want the primary k1", sealed.KeyID)
		}
		got, err := k.Unseal(sealed, tenantAAD)
		if err != nil {
			t.Fatalf("Unseal: %v", err)
		}
		if got.Reveal() != s {
			t.Errorf("Unseal = %q, want %q", got.Reveal(), s)
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, "k1:"+b64(testKey(1)))
	a := mustSeal(t, k, plaintext, tenantAAD)
	b := mustSeal(t, k, plaintext, tenantAAD)
	if bytes.Equal(a.Ciphertext, b.Ciphertext) {
		t.Error("sealing the same value twice gave the same ciphertext")
	}
}

// TestSealNeverContainsPlaintext checks, over many sizes and repetitive
// inputs where a broken mode would show patterns, that no ciphertext holds
// the plaintext.
func TestSealNeverContainsPlaintext(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, "k1:"+b64(testKey(9)))
	for n := 8; n <= 4096; n *= 2 {
		for _, fill := range []string{"a", "secret", "\x00"} {
			s := strings.Repeat(fill, n)[:n]
			sealed := mustSeal(t, k, s, nil)
			if bytes.Contains(sealed.Ciphertext, []byte(s)) {
				t.Errorf("ciphertext of %d×%q contains the plaintext", n, fill)
			}
			// Any 8-byte window of the plaintext would show a
			// pass-through; with repetitive fills one window covers all,
			// and random bytes match it by chance with odds near 2^-52.
			if bytes.Contains(sealed.Ciphertext, []byte(s[:8])) {
				t.Errorf("ciphertext of %d×%q contains a run of the plaintext", n, fill)
			}
		}
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := b64(testKey(1)), b64(testKey(2))
	before := mustKeyring(t, "old:"+oldKey)
	sealedOld := mustSeal(t, before, plaintext, tenantAAD)

	during := mustKeyring(t, "new:"+newKey+",old:"+oldKey)
	got, err := during.Unseal(sealedOld, tenantAAD)
	if err != nil || got.Reveal() != plaintext {
		t.Fatalf("unsealing an old value after rotation = %q, %v", got.Reveal(), err)
	}
	resealed, err := during.Seal(got, tenantAAD)
	if err != nil {
		t.Fatal(err)
	}
	if resealed.KeyID != "new" {
		t.Errorf("re-sealed KeyID = %q, want new", resealed.KeyID)
	}

	after := mustKeyring(t, "new:"+newKey)
	if got, err := after.Unseal(resealed, tenantAAD); err != nil || got.Reveal() != plaintext {
		t.Errorf("unsealing a re-sealed value without the old key = %q, %v", got.Reveal(), err)
	}
	_, err = after.Unseal(sealedOld, tenantAAD)
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unsealing with a dropped key: error = %v, want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), `"old"`) {
		t.Errorf("error %q does not name the key id", err)
	}
	assertNoKeyText(t, err.Error(), testKey(1))
}

func TestUnsealRejectsTampering(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, "k1:"+b64(testKey(1))+",k2:"+b64(testKey(2)))
	sealed := mustSeal(t, k, plaintext, tenantAAD)
	ct := sealed.Ciphertext
	flip := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 0x01
		return c
	}

	tests := []struct {
		name  string
		value Sealed
		aad   []byte
		want  error
	}{
		{"flipped nonce byte", Sealed{"k1", flip(0)}, tenantAAD, ErrTampered},
		{"flipped body byte", Sealed{"k1", flip(len(ct) / 2)}, tenantAAD, ErrTampered},
		{"flipped tag byte", Sealed{"k1", flip(len(ct) - 1)}, tenantAAD, ErrTampered},
		{"truncated by one byte", Sealed{"k1", ct[:len(ct)-1]}, tenantAAD, ErrTampered},
		{"truncated to the nonce", Sealed{"k1", ct[:12]}, tenantAAD, ErrTampered},
		{"empty", Sealed{"k1", nil}, tenantAAD, ErrTampered},
		{"extended", Sealed{"k1", append(bytes.Clone(ct), 0)}, tenantAAD, ErrTampered},
		{"another owner's aad", sealed, []byte("tenant:evil"), ErrTampered},
		{"no aad", sealed, nil, ErrTampered},
		{"relabelled to another key", Sealed{"k2", ct}, tenantAAD, ErrTampered},
		{"unknown key", Sealed{"k9", ct}, tenantAAD, ErrUnknownKey},
		{"unknown invalid key id", Sealed{"k 9\n", ct}, tenantAAD, ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := k.Unseal(tt.value, tt.aad)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Unseal = %v, %v; want %v", got, err, tt.want)
			}
			if !got.IsZero() {
				t.Error("Unseal returned a value along with its error")
			}
			if strings.Contains(err.Error(), plaintext) {
				t.Errorf("error %q contains the plaintext", err)
			}
			assertNoKeyText(t, err.Error(), testKey(1))
			assertNoKeyText(t, err.Error(), testKey(2))
		})
	}
	// The original still unseals: nothing above changed it in place.
	if _, err := k.Unseal(sealed, tenantAAD); err != nil {
		t.Errorf("untouched value no longer unseals: %v", err)
	}
}
