package alert

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/grantwatch/grantwatch/internal/health"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// t0 is the fixed moment the tests' events happen around.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// event builds a stored event of tenant 7 ("acme").
func event(id int64, kind health.EventKind, code health.Code, check int64, scopes ...health.Scope) Event {
	return Event{
		ID: id, TenantID: 7, Tenant: "acme", TenantName: "Acme Corp",
		Event: health.Event{Kind: kind, At: t0, Code: code, CheckID: check, Scopes: scopes, Capability: code.Capability()},
	}
}
