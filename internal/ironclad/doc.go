// Package ironclad is grantwatch's Ironclad client. It asks Ironclad, the way
// the integration itself would, whether a tenant's OAuth client credentials
// still work and which of the five integration scopes they are granted, and
// turns every answer into evidence (health.Observation): what was asked, what
// Ironclad said (status, OAuth or API error, request id, latency) and whether
// the answer was definitive.
//
// The client reports evidence, never verdicts: a 401 is "denied", a timeout is
// "inconclusive", and only the health package decides what that means for
// the tenant (an A or a B code, confirmed or merely suspected). The one rule
// this package enforces on its own is the asymmetry that keeps alerts honest:
// only an answer Ironclad documents as a refusal is ever recorded as Denied;
// faults, rate limits, unparseable or oversized bodies are inconclusive.
//
// A check costs a handful of calls: one token request with all five scopes,
// then one probe per capability (users, workflows, records) as the tenant's
// acting user. Only when Ironclad refuses the scope set as a whole does the
// client spend one token request per scope to learn which are granted.
//
// Every outbound call has a timeout, every response body is read with a bound,
// redirects are never followed, and base URLs other than Ironclad's regions
// must be allowed explicitly (GRANTWATCH_ALLOW_BASE_URLS), so a tenant record
// cannot aim the worker at an internal address.
package ironclad
