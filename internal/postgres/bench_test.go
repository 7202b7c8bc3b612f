package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// BenchmarkClaimDue claims a batch of due tenants among many that are not
// due, rolling back after each claim so that every iteration sees the same
// table. Its cost should follow the batch size, not the tenant count.
func BenchmarkClaimDue(b *testing.B) {
	for _, tenants := range []int{10_000, 50_000} {
		b.Run(fmt.Sprintf("tenants=%d", tenants), func(b *testing.B) {
			const due, batch = 2_000, 1_000
			e := newEnv(b)
			ctx := context.Background()
			_, err := e.pool.Exec(ctx, `
				INSERT INTO tenants (external_id, name, region, client_id, secret_key_id, secret_sealed,
					acting_user_email, check_interval, next_check_at)
				SELECT 't' || i, 't' || i, 'na1', 'client', 'k1', '\x00', 'ops@x.example', interval '15 minutes',
					CASE WHEN i <= $2 THEN $3::timestamptz - interval '1 second' * i
					     ELSE $3::timestamptz + interval '1 second' * i END
				FROM generate_series(1, $1) AS i`, tenants, due, epoch)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.pool.Exec(ctx, "ANALYZE tenants"); err != nil {
				b.Fatal(err)
			}
			jitter := func(d time.Duration) time.Duration { return d / 20 }

			for b.Loop() {
				tx, err := e.pool.Begin(ctx)
				if err != nil {
					b.Fatal(err)
				}
				ids, err := e.store.ClaimDue(ctx, tx, epoch, batch, jitter)
				if err != nil || len(ids) != batch {
					b.Fatalf("claimed %d, %v", len(ids), err)
				}
				if err := tx.Rollback(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "claims/s")
		})
	}
}

// BenchmarkApplyObservation applies checks to one tenant: a healthy tenant
// (nothing changes but the check row and the ledger), and a failing one
// (an open incident is seen again on every check).
func BenchmarkApplyObservation(b *testing.B) {
	for _, tc := range []struct {
		name    string
		observe func(postgres.Tenant, time.Time) health.Observation
	}{
		{"healthy", allOK},
		{"failing", credentialsDenied},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := newEnv(b)
			ctx := context.Background()
			tenant := e.create(b, "acme")
			obs := tc.observe(tenant, epoch)
			hook := func(context.Context, pgx.Tx, postgres.Applied) error { return nil }
			for b.Loop() {
				if _, err := e.store.ApplyObservation(ctx, tenant.ID, obs, hook); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
