// Package health is grantwatch's domain: the catalog of Ironclad error codes
// (ICD-100 … ICD-104, each in an A and a B form), the evidence one check
// gathers (Observation), what grantwatch remembers about a tenant (Ledger),
// and Evaluate, which decides from the two what is wrong now, whether it was
// never granted (A) or taken away (B), and which events that produces.
//
// Evaluate works in two stages. First the observation is judged on its own:
// each capability is satisfied, failed or unknown this round, and a failure
// early in the chain (credentials, then the grant) leaves everything after
// it unknown. Then the ledger's history turns those results into codes: a
// failure of something that held before (for this application; for the
// credentials, this generation of them) is a B code and opens only after
// Policy.ConfirmAfter consecutive failures, while anything else is an A code
// and opens at once. Unknown results, and checks that learned nothing, leave
// history exactly as it was.
//
// The package is pure: it imports only the standard library and does no I/O.
// Adapters (the Ironclad client, the Postgres store, the alert sinks) import
// it; it imports none of them.
package health
