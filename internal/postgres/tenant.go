package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// Tenant is one customer's Ironclad connection as stored. Its secret is
// sealed; callers unseal it with the keyring and the AAD
// []byte("grantwatch/tenant/"+ExternalID) they sealed it with.
type Tenant struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	// Exactly one of Region and BaseURL is set.
	Region   string `json:"region,omitempty"`
	BaseURL  string `json:"base_url,omitempty"`
	ClientID string `json:"client_id"`
	// Secret is the sealed client secret. It never leaves in JSON.
	Secret secret.Sealed `json:"-"`
	// Generation grows by one on every credential rotation.
	Generation      int64         `json:"generation"`
	ActingUserEmail string        `json:"acting_user_email"`
	CheckInterval   time.Duration `json:"check_interval_ns"`
	NextCheckAt     time.Time     `json:"next_check_at"`
	Paused          bool          `json:"paused"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	// RemovedAt is set once the tenant is removed; nil while it is live.
	RemovedAt *time.Time `json:"removed_at,omitempty"`
}

// NewTenant is what CreateTenant needs to add a tenant.
type NewTenant struct {
	// ExternalID is the caller's name for the tenant, unique among live
	// tenants: letters, digits and . _ : @ - (starting with a letter or
	// digit), at most 128 characters.
	ExternalID string
	// Name is for people; ExternalID when empty.
	Name string
	// Region (an Ironclad region) or BaseURL (an explicitly allowed host,
	// such as the simulator): exactly one. Whether a region or host is
	// allowed is the caller's configuration; the store checks only shape.
	Region  string
	BaseURL string
	// ClientID is the Ironclad application's OAuth client id.
	ClientID string
	// Secret is the client secret sealed with
	// keyring.Seal(s, []byte("grantwatch/tenant/"+ExternalID)).
	Secret          secret.Sealed
	ActingUserEmail string
	// CheckInterval is how often the tenant is checked: at least a second
	// (tests use short ones), at most 30 days.
	CheckInterval time.Duration
}

// ListFilter pages through tenants in id order.
type ListFilter struct {
	IncludeRemoved bool
	// Limit is the page size: 100 when zero, at most 1000.
	Limit int
	// AfterID continues after the last tenant of the previous page.
	AfterID int64
}

// tenantColumns lists a tenant's columns in scanTenant's order. Queries
// alias the table as t.
const tenantColumns = `t.id, t.external_id, t.name, coalesce(t.region, ''), coalesce(t.base_url, ''),
	t.client_id, t.secret_key_id, t.secret_sealed, t.generation, t.acting_user_email, t.check_interval,
	t.next_check_at, t.paused, t.created_at, t.updated_at, t.removed_at`

// tenantScanTargets returns pointers into t in tenantColumns order, so that
// queries selecting more than a tenant can append their own targets.
func tenantScanTargets(t *Tenant) []any {
	return []any{&t.ID, &t.ExternalID, &t.Name, &t.Region, &t.BaseURL,
		&t.ClientID, &t.Secret.KeyID, &t.Secret.Ciphertext, &t.Generation, &t.ActingUserEmail, &t.CheckInterval,
		&t.NextCheckAt, &t.Paused, &t.CreatedAt, &t.UpdatedAt, &t.RemovedAt}
}

func scanTenant(row pgx.Row) (Tenant, error) {
	var t Tenant
	err := row.Scan(tenantScanTargets(&t)...)
	return t, err
}

// scanTenantRow is scanTenant in the shape pgx.CollectRows wants.
func scanTenantRow(row pgx.CollectableRow) (Tenant, error) { return scanTenant(row) }

// CreateTenant adds a tenant, due for its first check at once, with
// generation 1, an empty ledger and a tenant_created event.
func (s *Store) CreateTenant(ctx context.Context, nt NewTenant) (Tenant, error) {
	if nt.Name == "" {
		nt.Name = nt.ExternalID
	}
	if err := nt.validate(); err != nil {
		return Tenant{}, err
	}
	now := s.clock()
	var t Tenant
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		t, err = scanTenant(tx.QueryRow(ctx, `
			INSERT INTO tenants AS t (external_id, name, region, base_url, client_id, secret_key_id,
				secret_sealed, acting_user_email, check_interval, next_check_at, created_at, updated_at)
			VALUES ($1, $2, nullif($3, ''), nullif($4, ''), $5, $6, $7, $8, $9, $10, $10, $10)
			RETURNING `+tenantColumns,
			nt.ExternalID, nt.Name, nt.Region, nt.BaseURL, nt.ClientID, nt.Secret.KeyID,
			nt.Secret.Ciphertext, nt.ActingUserEmail, nt.CheckInterval, now))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx,
			`INSERT INTO ledgers (tenant_id, ledger, updated_at) VALUES ($1, '{}', $2)`, t.ID, now); err != nil {
			return err
		}
		_, err = insertEvent(ctx, tx, t.ID, health.Event{Kind: health.EventTenantCreated, At: now, Severity: health.SeverityInfo},
			map[string]any{"client_id": t.ClientID, "region": t.Region, "base_url": t.BaseURL,
				"check_interval": t.CheckInterval.String()})
		return err
	})
	if err != nil {
		return Tenant{}, translate(err, fmt.Sprintf("creating tenant %q", nt.ExternalID))
	}
	return t, nil
}

// Tenant returns a tenant by its internal id, removed or not: a job holding
// the id learns from RemovedAt that its tenant is gone.
func (s *Store) Tenant(ctx context.Context, id int64) (Tenant, error) {
	t, err := scanTenant(s.pool.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants t WHERE t.id = $1`, id))
	if err != nil {
		return Tenant{}, translate(err, fmt.Sprintf("loading tenant %d", id))
	}
	return t, nil
}

// TenantByExternalID returns the live tenant with that external id.
func (s *Store) TenantByExternalID(ctx context.Context, externalID string) (Tenant, error) {
	t, err := scanTenant(s.pool.QueryRow(ctx,
		`SELECT `+tenantColumns+` FROM tenants t WHERE t.external_id = $1 AND t.removed_at IS NULL`, externalID))
	if err != nil {
		return Tenant{}, translate(err, fmt.Sprintf("loading tenant %q", externalID))
	}
	return t, nil
}

// ListTenants returns one page of tenants in id order.
func (s *Store) ListTenants(ctx context.Context, f ListFilter) ([]Tenant, error) {
	limit, err := pageSize(f.Limit)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, s.pool, "listing tenants", scanTenantRow, `
		SELECT `+tenantColumns+` FROM tenants t
		WHERE t.id > $1 AND ($2 OR t.removed_at IS NULL)
		ORDER BY t.id LIMIT $3`, f.AfterID, f.IncludeRemoved, limit)
}

// RotateCredentials replaces a live tenant's secret, and its client id too
// unless newClientID is empty. The generation grows by one, so checks still
// running with the old credentials are dropped when they finish, and a check
// is due at once. The credentials_rotated event says whether the client id
// changed, never anything about the secret.
func (s *Store) RotateCredentials(ctx context.Context, externalID, newClientID string, sealed secret.Sealed) (Tenant, error) {
	if err := errors.Join(validateSealed(sealed), validateClientID(newClientID, true)); err != nil {
		return Tenant{}, err
	}
	now := s.clock()
	var t Tenant
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var oldClientID string
		err := tx.QueryRow(ctx, `
			WITH old AS (
				SELECT id, client_id FROM tenants
				WHERE external_id = $1 AND removed_at IS NULL
				FOR NO KEY UPDATE
			)
			UPDATE tenants AS t SET
				client_id = coalesce(nullif($2, ''), t.client_id),
				secret_key_id = $3, secret_sealed = $4,
				generation = t.generation + 1,
				next_check_at = $5, updated_at = $5
			FROM old WHERE t.id = old.id
			RETURNING `+tenantColumns+`, old.client_id`,
			externalID, newClientID, sealed.KeyID, sealed.Ciphertext, now,
		).Scan(append(tenantScanTargets(&t), &oldClientID)...)
		if err != nil {
			return err
		}
		_, err = insertEvent(ctx, tx, t.ID,
			health.Event{Kind: health.EventCredentialsRotated, At: now, Severity: health.SeverityInfo},
			map[string]any{"client_id_changed": t.ClientID != oldClientID, "client_id": t.ClientID, "generation": t.Generation})
		return err
	})
	if err != nil {
		return Tenant{}, translate(err, fmt.Sprintf("rotating credentials of tenant %q", externalID))
	}
	return t, nil
}

// SetPaused pauses or resumes a live tenant. A paused tenant is never
// claimed by the scheduler; a resumed one is due at once if its next check
// had passed while paused. Changing nothing (pausing a paused tenant)
// records no event.
func (s *Store) SetPaused(ctx context.Context, externalID string, paused bool) (Tenant, error) {
	now := s.clock()
	kind := health.EventTenantResumed
	if paused {
		kind = health.EventTenantPaused
	}
	var t Tenant
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		t, err = scanTenant(tx.QueryRow(ctx, `
			SELECT `+tenantColumns+` FROM tenants t
			WHERE t.external_id = $1 AND t.removed_at IS NULL
			FOR NO KEY UPDATE`, externalID))
		if err != nil || t.Paused == paused {
			return err
		}
		t, err = scanTenant(tx.QueryRow(ctx, `
			UPDATE tenants AS t SET paused = $2, updated_at = $3,
				next_check_at = CASE WHEN $2 THEN t.next_check_at ELSE least(t.next_check_at, $3) END
			WHERE t.id = $1
			RETURNING `+tenantColumns, t.ID, paused, now))
		if err != nil {
			return err
		}
		_, err = insertEvent(ctx, tx, t.ID, health.Event{Kind: kind, At: now, Severity: health.SeverityInfo}, nil)
		return err
	})
	if err != nil {
		return Tenant{}, translate(err, fmt.Sprintf("setting tenant %q paused=%t", externalID, paused))
	}
	return t, nil
}

// RemoveTenant removes a live tenant softly: it is never checked again, its
// external id is free for a new tenant, and its history stays. Its open
// incidents are closed (with no resolving check), so that "open incidents"
// lists only tenants still watched; the tenant_removed event counts them.
func (s *Store) RemoveTenant(ctx context.Context, externalID string) error {
	now := s.clock()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `
			UPDATE tenants SET removed_at = $2, updated_at = $2
			WHERE external_id = $1 AND removed_at IS NULL
			RETURNING id`, externalID, now).Scan(&id)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			UPDATE incidents SET resolved_at = $2
			WHERE tenant_id = $1 AND resolved_at IS NULL`, id, now)
		if err != nil {
			return err
		}
		_, err = insertEvent(ctx, tx, id, health.Event{Kind: health.EventTenantRemoved, At: now, Severity: health.SeverityInfo},
			map[string]any{"closed_incidents": tag.RowsAffected()})
		return err
	})
	return translate(err, fmt.Sprintf("removing tenant %q", externalID))
}
