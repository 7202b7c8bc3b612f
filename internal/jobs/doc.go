// Package jobs runs grantwatch's work on River: the leader's periodic
// schedule_due fan-out, one verify_tenant job per due tenant, the leader's
// periodic scan for reminders about B incidents still open, and one
// deliver_alert job per (alert, sink). The Verifier it exposes is also what
// `worker check` runs, so a check from the command line and a scheduled check
// take the same path.
package jobs
