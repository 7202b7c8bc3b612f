// Package health is grantwatch's domain: the catalog of Ironclad error codes
// (ICD-100 … ICD-104, each in an A and a B form), the evidence one check
// gathers (Observation), what grantwatch remembers about a tenant (Ledger),
// and Evaluate, which decides from the two what is wrong now, whether it was
// never granted (A) or taken away (B), and which events that produces.
//
// The package is pure: it imports only the standard library and does no I/O.
// Adapters (the Ironclad client, the Postgres store, the alert sinks) import
// it; it imports none of them.
package health
