package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// testKey returns a key whose every byte is b. 0xff and 0xfb produce the
// characters on which the standard and URL base64 alphabets differ.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

// mustKeyring parses s or fails the test.
func mustKeyring(t *testing.T, s string) *Keyring {
	t.Helper()
	k, err := ParseKeyring(s)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return k
}

// assertNoKeyText fails the test if msg contains any encoding of key.
func assertNoKeyText(t *testing.T, msg string, key []byte) {
	t.Helper()
	for _, enc := range keyEncodings {
		if text := enc.EncodeToString(key); strings.Contains(msg, text) {
			t.Errorf("%q contains the key's base64 %q", msg, text)
		}
	}
	if strings.Contains(msg, hex.EncodeToString(key)) || strings.Contains(msg, string(key)) {
		t.Errorf("%q contains the key's bytes", msg)
	}
}

func TestParseKeyringAcceptsEveryBase64Flavour(t *testing.T) {
	t.Parallel()
	key := testKey(0xff)
	for _, enc := range keyEncodings {
		s := "k1:" + enc.EncodeToString(key)
		k := mustKeyring(t, s)
		// A keyring built from the raw key must unseal what this one seals.
		want, err := NewKeyring("k1", map[string][]byte{"k1": key})
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := k.Seal(New(plaintext), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := want.Unseal(sealed, nil); err != nil || got.Reveal() != plaintext {
			t.Errorf("%s: key decoded differently: %v", s, err)
		}
	}
}

func TestParseKeyringOrderAndWhitespace(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, " new : "+b64(testKey(2))+" ,\n\told:"+b64(testKey(1))+"\n")
	if got := k.PrimaryID(); got != "new" {
		t.Errorf("PrimaryID = %q, want the first entry's id %q", got, "new")
	}
	if got, want := k.String(), `secret.Keyring{primary: "new", others: ["old"]}`; got != want {
		t.Errorf("String = %s, want %s", got, want)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	t.Parallel()
	key := testKey(0xfb)
	good := b64(key)
	short := base64.StdEncoding.EncodeToString(key[:16])
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "is empty"},
		{"blank", " \n", "is empty"},
		{"missing colon", good, "entry 1 has no ':'"},
		{"empty id", ":" + good, "entry 1: key id must be"},
		{"id with bad characters", "k 1!:" + good, "entry 1: key id must be"},
		{"id too long", strings.Repeat("k", 65) + ":" + good, "entry 1: key id must be"},
		{"key and id swapped", good + ":k1", "entry 1: key id must be"},
		{"empty key", "k1:", `key "k1": key is empty`},
		{"bad base64", "k1:" + good[:20] + "!*" + good[22:], `key "k1": key is not valid base64`},
		{"wrong length", "k1:" + short, `key "k1": key decodes to 16 bytes, want 32`},
		{"duplicate id", "k1:" + good + ",k1:" + good, `entry 2 repeats key id "k1"`},
		{"empty entry", "k1:" + good + ",,k2:" + good, "entry 2 is empty"},
		{"trailing comma", "k1:" + good + ",", "entry 2 is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := ParseKeyring(tt.in)
			if err == nil {
				t.Fatalf("ParseKeyring = %v, nil; want an error", k)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			assertNoKeyText(t, err.Error(), key)
			assertNoKeyText(t, err.Error(), key[:16])
		})
	}
}

func TestNewKeyringErrors(t *testing.T) {
	t.Parallel()
	key := testKey(7)
	tests := []struct {
		name    string
		primary string
		keys    map[string][]byte
		want    string
	}{
		{"no keys", "k1", nil, "no keys"},
		{"primary missing", "k2", map[string][]byte{"k1": key}, `primary key "k2" is not in the keyring`},
		{"primary invalid", b64(key), map[string][]byte{"k1": key}, "primary key (invalid id)"},
		{"bad id", "k1", map[string][]byte{"k1": key, "a/b": key}, "key id must be"},
		{"short key", "k1", map[string][]byte{"k1": key[:31]}, `key "k1": key is 31 bytes, want 32`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewKeyring(tt.primary, tt.keys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewKeyring error = %v, want one containing %q", err, tt.want)
			}
			assertNoKeyText(t, err.Error(), key)
		})
	}
}

func TestNewKeyringDoesNotRetainKeys(t *testing.T) {
	t.Parallel()
	key := testKey(3)
	k, err := NewKeyring("k1", map[string][]byte{"k1": key})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := k.Seal(New(plaintext), nil)
	if err != nil {
		t.Fatal(err)
	}
	clear(key) // The caller may wipe its copy once the keyring is built.
	if got, err := k.Unseal(sealed, nil); err != nil || got.Reveal() != plaintext {
		t.Errorf("Unseal after the caller wiped its key = %v, %v", got, err)
	}
}

func TestKeyringNeverPrintsKeys(t *testing.T) {
	t.Parallel()
	key := testKey(0x41) // "AAAA..." would also show up in plain %s output.
	k, err := NewKeyring("k1", map[string][]byte{"k1": key})
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		assertNoKeyText(t, fmt.Sprintf(verb, k), key)
		assertNoKeyText(t, fmt.Sprintf(verb, *k), key)
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	ids, keys := make(map[string]bool), make(map[string]bool)
	for range 3 {
		entry, err := GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		id, key, _ := strings.Cut(entry, ":")
		if ids[id] || keys[key] {
			t.Errorf("GenerateKey repeated itself: id %q seen %v, key seen %v", id, ids[id], keys[key])
		}
		ids[id], keys[key] = true, true
		if k := mustKeyring(t, entry); k.PrimaryID() != id {
			t.Errorf("PrimaryID = %q, want %q", k.PrimaryID(), id)
		}
	}
}

func b64(key []byte) string { return base64.StdEncoding.EncodeToString(key) }
