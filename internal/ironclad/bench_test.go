package ironclad

import (
	"testing"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

// BenchmarkCheck measures one full check over real HTTP against the
// simulator (in the same process, so its cost is included): a healthy
// tenant (1 token request and 3 probes) and one missing a scope (per-scope
// discovery).
func BenchmarkCheck(b *testing.B) {
	e := newSimEnv(b, ironcladsim.DialectIronclad)
	c := e.client(b, Config{})
	cases := map[string][]health.Scope{
		"healthy":       health.Scopes,
		"scope-missing": health.Scopes[1:],
	}
	for name, scopes := range cases {
		conn := e.conn(e.addTenant(b, scopes, true, 1_000_000_000))
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				obs, err := c.Check(b.Context(), conn)
				if err != nil || !obs.Conclusive() {
					b.Fatalf("check: %v (conclusive %v)", err, obs.Conclusive())
				}
			}
		})
	}
}
