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
// /_sim/ are never counted, rate limited or faulted.
//
// A Sim is safe for concurrent use. All state sits behind one mutex that is
// never held while a fault sleeps or hangs.
package ironcladsim
