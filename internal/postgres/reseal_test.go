package postgres_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

func TestResealAll(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // seals under k1
	e.createAll(t, "a", "b", "gone")
	if err := e.store.RemoveTenant(t.Context(), "gone"); err != nil {
		t.Fatal(err)
	}
	// More than one batch, inserted directly for speed.
	const bulk = 520
	exts := make([]string, bulk)
	ciphertexts := make([][]byte, bulk)
	for i := range bulk {
		exts[i] = fmt.Sprintf("bulk-%03d", i)
		ciphertexts[i] = e.seal(t, exts[i], "secret-of-"+exts[i]).Ciphertext
	}
	_, err := e.pool.Exec(t.Context(), `
		INSERT INTO tenants (external_id, name, region, client_id, secret_key_id, secret_sealed, acting_user_email, check_interval)
		SELECT ext, ext, 'na1', 'client', 'k1', ct, 'ops@x.example', interval '15 minutes'
		FROM unnest($1::text[], $2::bytea[]) AS u(ext, ct)`, exts, ciphertexts)
	if err != nil {
		t.Fatal(err)
	}
	total := 3 + bulk

	rotated := keyring(t, "k2", "k1", "k2")
	n, err := e.store.ResealAll(t.Context(), rotated, aad)
	if err != nil || n != total {
		t.Fatalf("ResealAll = %d, %v; want %d", n, err, total)
	}
	if left := e.count(t, "SELECT count(*) FROM tenants WHERE secret_key_id <> 'k2'"); left != 0 {
		t.Errorf("%d secrets still sealed under another key", left)
	}

	// Every secret still unseals to its value, now without the old key.
	onlyNew := keyring(t, "k2", "k2")
	page, err := e.store.ListTenants(t.Context(), postgres.ListFilter{IncludeRemoved: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != total {
		t.Fatalf("listed %d tenants, want %d", len(page), total)
	}
	for _, tenant := range page {
		plain, err := onlyNew.Unseal(tenant.Secret, aad(tenant.ExternalID))
		if err != nil || plain.Reveal() != "secret-of-"+tenant.ExternalID {
			t.Fatalf("tenant %s: re-sealed secret does not unseal to its value (%v)", tenant.ExternalID, err)
		}
	}

	if n, err := e.store.ResealAll(t.Context(), rotated, aad); err != nil || n != 0 {
		t.Errorf("second ResealAll = %d, %v; want 0", n, err)
	}
}

func TestResealAllWithoutTheOldKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create(t, "a")
	n, err := e.store.ResealAll(t.Context(), keyring(t, "k3", "k3"), aad)
	if n != 0 || !errors.Is(err, secret.ErrUnknownKey) || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("ResealAll without k1 = %d, %v; want 0 and an unknown-key error naming tenant a", n, err)
	}
	if left := e.count(t, "SELECT count(*) FROM tenants WHERE secret_key_id = 'k1'"); left != 1 {
		t.Errorf("the secret's key changed to something unusable")
	}
}
