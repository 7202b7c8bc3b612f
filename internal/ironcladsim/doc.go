// Package ironcladsim is a simulated Ironclad: an http.Handler that speaks the
// parts of Ironclad's OAuth, Public and SCIM APIs that grantwatch uses, plus
// controls to change a tenant's application behind the client's back and to
// inject transport faults.
//
// The simulator exists so that every test of grantwatch, and the demo, talks
// to something that answers like Ironclad over real HTTP. It serves:
//
//   - POST /oauth/token (client credentials grant, form or JSON body, client
//     credentials in the body or in HTTP Basic);
//   - GET /oauth/userinfo and GET /oauth/company-info;
//   - GET /scim/v2/Users;
//   - GET /public/api/v1/workflows, .../workflows/{id}/participants,
//     .../records and .../records/{id}/attachments/{key}.
//
// Success and error bodies follow the shapes of Ironclad's published OpenAPI
// specifications; where those are silent the simulator follows RFC 6749, and
// where nobody documents the behaviour it makes a choice recorded in facts.go
// (every such choice is marked [guess] there).
//
// State is changed through methods on Sim (AddCompany, AddApp, RevokeScope,
// SetFault, ...) or the same operations as JSON under /_sim/. Requests under
// /_sim/ are never counted, rate limited or faulted. Errors answer
// {"error": "..."} with 400 (bad input), 404 (unknown id) or 409 (exists).
//
//	GET    /_sim/companies                                 every company, its users, apps and calls (no secrets)
//	POST   /_sim/companies                                 {"company_id", "rate_per_minute"}
//	POST   /_sim/companies/{id}/activate | /deactivate
//	POST   /_sim/companies/{id}/apps                       {"client_id", "client_secret", "scopes", "client_credentials"}; empty id/secret generated
//	POST   /_sim/companies/{id}/users                      {"email"}
//	POST   /_sim/companies/{id}/users/{email}/activate | /deactivate
//	GET    /_sim/companies/{id}/calls                      {"company_id", "calls"}; DELETE resets
//	POST   /_sim/apps/{client_id}/scopes/{scope}           grant; DELETE revokes
//	POST   /_sim/apps/{client_id}/rotate-secret            {"client_secret"}
//	DELETE /_sim/apps/{client_id}
//	PUT    /_sim/apps/{client_id}/grant                    {"client_credentials": bool}
//	PUT    /_sim/faults                                    {"company_id", "kind", "latency": "250ms", "status", "retry_after", "path_prefix"}
//	DELETE /_sim/faults?company_id=...
//	POST   /_sim/dialect                                   {"dialect": "ironclad" | "rfc"}
//	POST   /_sim/demo                                      SeedDemo; answers the DemoCompany
//
// A Sim is safe for concurrent use. All state sits behind one mutex that is
// never held while a fault sleeps or hangs.
package ironcladsim
