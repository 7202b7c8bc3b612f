package ironcladsim

import (
	"net/http"
	"testing"
	"time"
)

// The spec files, by their role.
const (
	oauthSpec  = "ironclad-oauth-20-api-openapi.yml"
	publicSpec = "ironclad-public-api-openapi.yml"
	scimSpec   = "ironclad-scim-api-openapi.yml"
)

// shapeCase checks one body the simulator served against one schema of
// Ironclad's specs.
type shapeCase struct {
	name    string
	file    string
	anchors []string       // see specFile.schema
	body    map[string]any // the decoded JSON object
	// loose allows properties the schema does not list; used only where
	// the spec documents the same answer elsewhere with those properties.
	loose bool
	// examples lists properties whose value must equal the spec's example:
	// the error codes and messages clients match on.
	examples []string
}

// TestBodiesMatchTheSpecs checks every success and error body of the served
// endpoints against the required fields, property names and property types of
// the schema the published specs give for it, read from the spec files at test
// time. Each case names its schema by anchors into the YAML.
func TestBodiesMatchTheSpecs(t *testing.T) {
	t.Parallel()
	specs := map[string]specFile{}
	for _, name := range []string{oauthSpec, publicSpec, scimSpec} {
		specs[name] = loadSpec(t, name)
	}

	e := newEnv(t, Options{TokenTTL: time.Minute})
	me := e.demo.ActingUserEmail
	expired := e.token(t)
	e.clock.Advance(time.Minute)
	tok := e.token(t)
	noScopes := e.token(t, "public.records.readAttachments")
	doomedID, doomedSecret := addCompanyWithApp(t, e, "doomed", 0)
	revoked := tokenFor(t, e, doomedID, doomedSecret)
	if err := e.sim.DeleteApp(doomedID); err != nil {
		t.Fatal(err)
	}
	limitedID, limitedSecret := addCompanyWithApp(t, e, "limited", 1)
	limited := tokenFor(t, e, limitedID, limitedSecret)
	e.get(t, workflowsPath, limited, "ops@limited.example.com")
	e.get(t, scimUsersPath, limited, "ops@limited.example.com")

	token := e.do(t, e.tokenRequest(t, e.creds(), ptr("scim.users.readUsers"), false)).body
	tokenErr := func(c tokenCreds, scope *string) map[string]any {
		return e.do(t, e.tokenRequest(t, c, scope, false)).body
	}
	get := func(path, token, user string) map[string]any { return e.get(t, path, token, user).body }

	workflows := get(workflowsPath+"?pageSize=1", tok, me)
	workflow := item(t, workflows, "list")
	participants := get("/public/api/v1/workflows/IC-1/participants?pageSize=1", tok, me)
	records := get(recordsPath+"?pageSize=1", tok, me)
	rec := item(t, records, "list")
	users := get(scimUsersPath+"?count=1", tok, me)

	badSecret := tokenErr(tokenCreds{id: e.demo.ClientID, secret: "wrong"}, nil)
	badScope := tokenErr(e.creds(), ptr("no.such.scope"))
	badID := tokenErr(tokenCreds{id: "6013609108b8f070cee94fc1", secret: "x"}, nil)
	disableGrant(t, e)
	noGrant := tokenErr(e.creds(), nil)

	if err := e.sim.SetCompanyActive(e.demo.CompanyID, false); err != nil {
		t.Fatal(err)
	}
	inactive := get(companyInfoPath, tok, me)
	if err := e.sim.SetCompanyActive(e.demo.CompanyID, true); err != nil {
		t.Fatal(err)
	}

	cases := []shapeCase{
		// OAuth: the token endpoint.
		{name: "token 200", file: oauthSpec, anchors: []string{"ClientCredentialsGrantTokenResponse:"}, body: token},
		{name: "token 401 invalid_client", file: oauthSpec, anchors: []string{"/token:", "post:", "'401':"}, body: badSecret, examples: []string{"error"}},
		{name: "token 400 invalid_scope", file: oauthSpec, anchors: []string{"/token:", "post:", "'400':"}, body: badScope},
		{name: "token 400 invalid_request", file: oauthSpec, anchors: []string{"/token:", "post:", "'400':"}, body: badID, examples: []string{"error"}},
		{name: "token 403 unauthorized_client", file: oauthSpec, anchors: []string{"/token:", "post:", "'403':"}, body: noGrant},
		// The /authorize 403 documents unauthorized_client's description.
		{name: "unauthorized_client wording", file: oauthSpec, anchors: []string{"/authorize:", "get:", "'403':"}, body: noGrant, examples: []string{"error", "error_description"}},

		// OAuth: userinfo and company-info.
		{name: "userinfo 200", file: oauthSpec, anchors: []string{"/userinfo:", "get:", "'200':"}, body: get(userinfoPath, tok, me)},
		{name: "userinfo 401 invalid", file: oauthSpec, anchors: []string{"InvalidTokenError:"}, body: get(userinfoPath, "nope", me), examples: []string{"code", "message"}},
		{name: "userinfo 401 revoked", file: oauthSpec, anchors: []string{"RevokedTokenError:"}, body: get(userinfoPath, revoked, me), examples: []string{"code", "message"}},
		{name: "userinfo 401 expired", file: oauthSpec, anchors: []string{"ExpiredTokenError:"}, body: get(userinfoPath, expired, me), examples: []string{"code", "message"}},
		{name: "company-info 200", file: oauthSpec, anchors: []string{"/company-info:", "get:", "'200':"}, body: get(companyInfoPath, tok, me)},
		// company-info's 403 lists only code; ForbiddenError403 below
		// documents the same answer with its message.
		{name: "company-info 403", file: oauthSpec, anchors: []string{"/company-info:", "get:", "'403':"}, body: inactive, loose: true, examples: []string{"code"}},

		// Public API: workflows and participants.
		{name: "workflows 200", file: publicSpec, anchors: []string{"/workflows:", "get:", "'200':"}, body: workflows},
		{name: "workflow item", file: publicSpec, anchors: []string{"WorkflowResponseModel:"}, body: workflow},
		{name: "workflow creator", file: publicSpec, anchors: []string{"WorkflowResponseModel:", "creator:"}, body: obj(workflow["creator"])},
		{name: "workflow role", file: publicSpec, anchors: []string{"WorkflowResponseModel:", "roles:", "items:"}, body: item(t, workflow, "roles")},
		{name: "workflow role assignee", file: publicSpec, anchors: []string{"WorkflowResponseModel:", "roles:", "items:", "assignees:", "items:"},
			body: item(t, item(t, workflow, "roles"), "assignees")},
		{name: "participants 200", file: publicSpec, anchors: []string{"/workflows/{id}/participants:", "get:", "'200':"}, body: participants},
		{name: "participant item", file: publicSpec, anchors: []string{"/workflows/{id}/participants:", "get:", "'200':", "list:", "items:"}, body: item(t, participants, "list")},
		{name: "participants 403", file: publicSpec, anchors: []string{"/workflows/{id}/participants:", "get:", "'403':"},
			body: get("/public/api/v1/workflows/IC-1/participants", noScopes, me), examples: []string{"code", "message"}},
		{name: "participants 404", file: publicSpec, anchors: []string{"WorkflowNotFound:"},
			body: get("/public/api/v1/workflows/000000000000000000000000/participants", tok, me), examples: []string{"code", "message", "param"}},

		// Public API: records and attachments.
		{name: "records 200", file: publicSpec, anchors: []string{"/records:", "get:", "'200':"}, body: records},
		{name: "record item", file: publicSpec, anchors: []string{"RecordModel:"}, body: rec},
		{name: "record attachment", file: publicSpec, anchors: []string{"RecordModel:", "attachments:", "additionalProperties:"}, body: obj(obj(rec["attachments"])["signedCopy"])},
		{name: "record property", file: publicSpec, anchors: []string{"RecordPropertyString:"}, body: obj(obj(rec["properties"])["counterpartyName"])},
		{name: "attachment 404 record", file: publicSpec, anchors: []string{"BadRequestErrorRecordIDNotFound:"},
			body: get("/public/api/v1/records/00000000-0000-0000-0000-000000000000/attachments/signedCopy", tok, me), examples: []string{"code"}},
		{name: "attachment 404 key", file: publicSpec, anchors: []string{"BadRequestErrorRecordAttachmentIDNotFound:"},
			body: get("/public/api/v1/records/IC-100/attachments/nope", tok, me), examples: []string{"code"}},

		// Public API: shared errors.
		{name: "public 401", file: publicSpec, anchors: []string{"UnauthorizedError401:"}, body: get(recordsPath, "", me), examples: []string{"code", "message"}},
		{name: "public 403", file: publicSpec, anchors: []string{"ForbiddenError403:"}, body: get(recordsPath, tok, ""), examples: []string{"code", "message"}},
		{name: "public 400", file: publicSpec, anchors: []string{"BadRequestError400:"}, body: get(recordsPath+"?pageSize=0", tok, me)},
		{name: "public 429", file: publicSpec, anchors: []string{"/workflows/{id}/sign-status/signers/{signerRoleName}/remind:", "post:", "'429':"},
			body: get(workflowsPath, limited, "ops@limited.example.com")},
		{name: "unknown path 404", file: publicSpec, anchors: []string{"NotFoundError404:"}, body: get("/public/api/v1/nothing", tok, me), examples: []string{"code"}},

		// SCIM.
		{name: "users 200", file: scimSpec, anchors: []string{"UsersResponse200:"}, body: users},
		{name: "user item", file: scimSpec, anchors: []string{"UserResponseObject:"}, body: item(t, users, "Resources")},
		{name: "users 403", file: scimSpec, anchors: []string{"ForbiddenResponse403:"}, body: get(scimUsersPath, noScopes, me), examples: []string{"status"}},
		{name: "users 400", file: scimSpec, anchors: []string{"UserResponse400:"}, body: get(scimUsersPath+"?count=x", tok, me), examples: []string{"status", "scimType"}},
		// SCIM documents no 401 or 429 body: they take the documented SCIM
		// error shape with a detail (NotFoundResponse404's).
		{name: "users 401", file: scimSpec, anchors: []string{"NotFoundResponse404:"}, body: get(scimUsersPath, revoked, me)},
		{name: "users 429", file: scimSpec, anchors: []string{"NotFoundResponse404:"}, body: get(scimUsersPath, limited, "ops@limited.example.com")},
	}
	for _, c := range cases {
		if c.body == nil {
			t.Errorf("%s: the simulator's body is not a JSON object", c.name)
			continue
		}
		s := specs[c.file].schema(t, c.anchors...)
		for _, p := range s.conforms(c.body, !c.loose) {
			t.Errorf("%s: %s", c.name, p)
		}
		for _, k := range c.examples {
			if got, want := c.body[k], s.examples[k]; got != want {
				t.Errorf("%s: %s = %v, want the spec's example %q (%s)", c.name, k, got, want, s.at)
			}
		}
	}
}

// obj returns v as a JSON object, nil when it is not one.
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// item returns the first element of the array body[key] as an object.
func item(t *testing.T, body map[string]any, key string) map[string]any {
	t.Helper()
	list, _ := body[key].([]any)
	if len(list) == 0 {
		t.Fatalf("%s is empty or missing in %v", key, body)
	}
	return obj(list[0])
}

// TestAttachment200IsAnObject covers the one served body whose schema the
// spec leaves empty ("type: object, properties: {}").
func TestAttachment200IsAnObject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	resp := e.get(t, "/public/api/v1/records/IC-100/attachments/signedCopy", e.token(t), e.demo.ActingUserEmail)
	if resp.status != http.StatusOK || resp.body == nil || resp.str("filename") == "" {
		t.Errorf("attachment: %d %s, want 200 with a JSON object", resp.status, resp.raw)
	}
}
