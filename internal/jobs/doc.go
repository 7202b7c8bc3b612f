// Package jobs runs grantwatch's work on River: the leader's periodic
// schedule_due fan-out, one verify_tenant job per due tenant, the leader's
// periodic scan for reminders about B incidents still open
// (remind_open_incidents), its hourly pruning of old checks (prune_checks),
// and one deliver_alert job per (alert, sink). The Verifier it exposes is
// also what `worker check` and POST /v1/tenants/{id}/check run, so a check
// on demand and a scheduled check take the same path. Metrics holds the
// worker's Prometheus counters; labels never name a tenant.
package jobs
