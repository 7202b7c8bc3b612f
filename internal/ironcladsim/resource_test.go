package ironcladsim

import (
	"net/http"
	"testing"
)

// probes are the resource endpoints with the scope each requires ("" none).
var probes = []struct {
	path  string
	scope string
}{
	{userinfoPath, ""},
	{companyInfoPath, ""},
	{scimUsersPath + "?count=1", "scim.users.readUsers"},
	{workflowsPath + "?pageSize=1", "public.workflows.readWorkflows"},
	{"/public/api/v1/workflows/IC-1/participants?pageSize=1", "public.workflows.readParticipants"},
	{recordsPath + "?pageSize=1", "public.records.readRecords"},
	{"/public/api/v1/records/IC-100/attachments/signedCopy", "public.records.readAttachments"},
}

func TestProbesOK(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token(t)
	for _, p := range probes {
		resp := e.get(t, p.path, tok, e.demo.ActingUserEmail)
		if resp.status != http.StatusOK {
			t.Errorf("GET %s: status %d, body %s", p.path, resp.status, resp.raw)
		}
		if resp.body == nil {
			t.Errorf("GET %s: body is not a JSON object: %s", p.path, resp.raw)
		}
		if resp.header.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no X-Request-Id", p.path)
		}
	}
}
