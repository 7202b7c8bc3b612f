package ironcladsim

import "time"

// This file keeps, in one place, every fact about Ironclad the simulator
// relies on, each marked as in docs/ironclad-api.md:
//
//	[doc]   Ironclad documents it (OpenAPI specs or developer docs);
//	[rfc]   RFC 6749 (or RFC 7644 for SCIM) says so and Ironclad is silent;
//	[guess] nobody documents it; we chose it.
//
// A [guess] that turns out wrong against a live tenant should be changed here
// and nowhere else.

// Token endpoint.
const (
	// defaultTokenTTL is the lifetime of an access token. [doc] The token
	// response example shows expires_in 3600.
	defaultTokenTTL = time.Hour

	// basicRealm is the realm of the WWW-Authenticate challenge that the
	// Ironclad dialect sends with invalid_client when the client used HTTP
	// Basic. [rfc] RFC 6749 §5.2 requires the challenge; [guess] the realm.
	basicRealm = `Basic realm="ironclad"`

	// [doc] The error_description examples of the OAuth spec.
	descInvalidClient      = "invalid client"
	descUnauthorizedClient = "client not authorized to use this oauth grant type"
	descClientIDNotUUID    = "Invalid or missing parameters: Invalid value for client_id, expected type UUID"

	// statusUnauthorizedClientIronclad is the status of unauthorized_client.
	// [doc] Ironclad documents 403; RFC 6749 §5.2 says 400 (the RFC dialect).
	statusUnauthorizedClientIronclad = 403
)

// [guess] invalid_scope fails the whole token request when any requested scope
// is not registered on the application, and nothing is granted (RFC 6749
// §3.3 would also allow a server to grant fewer scopes than requested; Ironclad
// documents only that requested scopes must be a subset of the registered
// ones). [rfc] When no scope is requested the server grants its default, which
// the simulator takes to be every registered scope, and still returns scope.

// Resource endpoints.
const (
	// [doc] The Public API's 401 messages (UnauthorizedError401 examples).
	msgInvalidToken = "invalid authentication token"
	msgRevokedToken = "token has been revoked"
	msgExpiredToken = "token has expired"

	// [doc] The Public API's 403 message (ForbiddenError403 example).
	// [guess] A token without the endpoint's scope, a missing acting user and
	// an unknown or deactivated acting user all answer this same 403.
	msgForbidden = "access forbidden"

	// [guess] The 429 message; Ironclad documents only the code.
	msgTooManyRequests = "too many requests, please retry later"

	// scimErrorSchema is the schema URN of every SCIM error body. [doc]
	scimErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"
	// scimListSchema is the schema URN of a SCIM list response. [doc]
	scimListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	// scimUserSchema is the core schema URN of a SCIM user. [doc]
	scimUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
)

// [guess] Every error on a SCIM path, 401 and 429 included, uses the SCIM
// error body (RFC 7644 §3.12); Ironclad documents that shape for 400, 403,
// 404, 409 and 500 only.

// Paging. [doc] QueryPageNumber and QueryPageSize of the Public API spec;
// StartIndex and Count of the SCIM spec.
const (
	defaultPageSize = 20
	minPageSize     = 1
	maxPageSize     = 100
	maxPage         = 100_000_000

	defaultSCIMCount = 25
	maxSCIMCount     = 1000
)

// Rate limits. [doc] Per company, per minute, in shared buckets. [guess] The
// window is a fixed calendar minute; only requests that pass authentication,
// scope and acting-user checks consume it; participants draw from the
// workflows bucket and attachments from the records bucket; the token
// endpoint is not limited (no limit is documented for it) and 429 carries no
// Retry-After.
const (
	rateWorkflows = 400 // GET /public/api/v1/workflows...
	rateRecords   = 600 // GET /public/api/v1/records...
	rateSCIMUsers = 600 // /scim/v2/Users...
	rateOther     = 800 // everything else
)

// Limits of the simulator itself, not facts about Ironclad.
const (
	// maxBodyBytes bounds every request body the simulator reads.
	maxBodyBytes = 64 << 10
	// oversizedBodyBytes is the size of a FaultOversized body: larger than
	// the 2 MiB a careful client accepts.
	oversizedBodyBytes = 2<<20 + 4<<10
	// expiredTokenRetention is how long an expired token is remembered (so
	// it answers "token has expired") before it is forgotten and answers
	// "invalid authentication token" like any unknown token.
	expiredTokenRetention = 24 * time.Hour
)
