package health

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	token := func(status int, oauth string, outcome Outcome) Evidence {
		return Evidence{Call: "POST /oauth/token", Status: status, OAuthError: oauth, Outcome: outcome}
	}
	probe := func(s Scope, status int, outcome Outcome) Evidence {
		return Evidence{Call: probeCall(s), Scope: s, Status: status, APIError: "FORBIDDEN", Outcome: outcome}
	}
	tests := []struct {
		name     string
		evidence []Evidence
		c        Capability
		want     string
	}{
		{"invalid client", []Evidence{token(401, "invalid_client", OutcomeDenied)}, CapabilityCredentials, "POST /oauth/token: 401 invalid_client"},
		{"only refusals count", []Evidence{token(200, "", OutcomeOK), probe(users, 403, OutcomeDenied), probe(records, 502, OutcomeInconclusive)}, CapabilityUsers,
			"GET /scim/v2/Users [scim.users.readUsers]: 403 FORBIDDEN"},
		{"only the capability's scopes count", []Evidence{probe(users, 403, OutcomeDenied), probe(records, 403, OutcomeDenied), probe(attachments, 403, OutcomeDenied)}, CapabilityRecords,
			"GET /public/api/v1/records [public.records.readRecords]: 403 FORBIDDEN; GET /public/api/v1/records/{id}/attachments/{key} [public.records.readAttachments]: 403 FORBIDDEN"},
		{"repeats are named once", []Evidence{token(401, "invalid_client", OutcomeDenied), token(401, "invalid_client", OutcomeDenied)}, CapabilityCredentials, "POST /oauth/token: 401 invalid_client"},
		{"the application sees every refusal, and long lists are cut", []Evidence{
			probe(users, 403, OutcomeDenied), probe(workflows, 403, OutcomeDenied), probe(participants, 403, OutcomeDenied),
			probe(records, 403, OutcomeDenied), probe(attachments, 403, OutcomeDenied),
		}, CapabilityApplication,
			"GET /scim/v2/Users [scim.users.readUsers]: 403 FORBIDDEN; GET /public/api/v1/workflows [public.workflows.readWorkflows]: 403 FORBIDDEN; " +
				"GET /public/api/v1/workflows/{id}/participants [public.workflows.readParticipants]: 403 FORBIDDEN; and 2 more"},
		{"an unlabelled refusal is still named", []Evidence{{Scope: users, Outcome: OutcomeDenied}}, CapabilityCredentials, "request [scim.users.readUsers]:"},
		{"no refusal, no summary", []Evidence{token(200, "", OutcomeOK)}, CapabilityCredentials, ""},
		{"no evidence", nil, CapabilityRecords, ""},
	}
	for _, tt := range tests {
		if got := summarize(tt.evidence, tt.c); got != tt.want {
			t.Errorf("%s:\n got  %q\n want %q", tt.name, got, tt.want)
		}
	}
}

func TestSummarizeIsBounded(t *testing.T) {
	t.Parallel()
	// A provider may put anything in its error fields.
	long := strings.Repeat("é", 400)
	got := summarize([]Evidence{{Call: "POST /oauth/token", Status: 401, OAuthError: long, Outcome: OutcomeDenied}}, CapabilityCredentials)
	if len(got) > maxSummaryBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Fatalf("summary of %d bytes, valid UTF-8 %v: %q", len(got), utf8.ValidString(got), got)
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijk", 10, "abcdefg…"},
		{"ééééé", 6, "é…"}, // the cut would split an é, so it moves back
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
