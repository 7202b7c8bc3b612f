package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/secret"
)

// resealBatch is how many secrets one ResealAll round re-seals and writes.
const resealBatch = 500

// ResealAll re-seals, under the keyring's primary key, every tenant secret
// (removed tenants included) sealed under another key, so that old keys can
// be retired. aad must return the AAD each secret was sealed with (callers
// use []byte("grantwatch/tenant/"+externalID)). It works in batches, each
// written with one statement; a secret that changed meanwhile (a rotation)
// is left alone, since the rotation sealed it under the primary key. It
// returns how many secrets it re-sealed, also when it fails part way.
func (s *Store) ResealAll(ctx context.Context, kr *secret.Keyring, aad func(externalID string) []byte) (int, error) {
	primary := kr.PrimaryID()
	var (
		done    int
		afterID int64
	)
	for {
		batch, err := queryAll(ctx, s.pool, "finding secrets to re-seal", scanSealedRow, `
			SELECT id, external_id, secret_key_id, secret_sealed FROM tenants
			WHERE secret_key_id <> $1 AND id > $2
			ORDER BY id LIMIT $3`, primary, afterID, resealBatch)
		if err != nil {
			return done, err
		}
		if len(batch) == 0 {
			return done, nil
		}

		var (
			ids                    = make([]int64, len(batch))
			keyIDs, oldKeyIDs      = make([]string, len(batch)), make([]string, len(batch))
			ciphertexts, oldSealed = make([][]byte, len(batch)), make([][]byte, len(batch))
		)
		for i, r := range batch {
			plain, err := kr.Unseal(r.old, aad(r.externalID))
			if err != nil {
				return done, fmt.Errorf("unsealing the secret of tenant %q: %w", r.externalID, err)
			}
			resealed, err := kr.Seal(plain, aad(r.externalID))
			if err != nil {
				return done, fmt.Errorf("re-sealing the secret of tenant %q: %w", r.externalID, err)
			}
			ids[i], keyIDs[i], ciphertexts[i] = r.id, resealed.KeyID, resealed.Ciphertext
			oldKeyIDs[i], oldSealed[i] = r.old.KeyID, r.old.Ciphertext
		}
		tag, err := s.pool.Exec(ctx, `
			UPDATE tenants AS t SET secret_key_id = u.key_id, secret_sealed = u.sealed
			FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::text[], $5::bytea[])
				AS u(id, key_id, sealed, old_key_id, old_sealed)
			WHERE t.id = u.id AND t.secret_key_id = u.old_key_id AND t.secret_sealed = u.old_sealed`,
			ids, keyIDs, ciphertexts, oldKeyIDs, oldSealed)
		if err != nil {
			return done, translate(err, "storing re-sealed secrets")
		}
		done += int(tag.RowsAffected())
		afterID = batch[len(batch)-1].id
	}
}

// sealedRow is one tenant's sealed secret as ResealAll reads it.
type sealedRow struct {
	id         int64
	externalID string
	old        secret.Sealed
}

func scanSealedRow(row pgx.CollectableRow) (sealedRow, error) {
	var r sealedRow
	err := row.Scan(&r.id, &r.externalID, &r.old.KeyID, &r.old.Ciphertext)
	return r, err
}
