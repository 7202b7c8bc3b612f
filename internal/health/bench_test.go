package health

import "testing"

// BenchmarkEvaluate measures one check's evaluation on a ledger with
// history: a healthy tenant (the common case) and one losing a scope
// (suspicion, confirmation, incident, events).
func BenchmarkEvaluate(b *testing.B) {
	var ledger Ledger
	for n := range int64(3) {
		ledger, _ = Evaluate(ledger, healthy().o, checkTime(n+1))
	}
	cases := map[string]Observation{
		"healthy":       healthy().o,
		"scope-missing": missing(ScopeReadUsers).o,
	}
	for name, o := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				o.CheckID = int64(i)
				if next, _ := Evaluate(ledger, o, checkTime(int64(i%1000)+10)); next.ClientID == "" {
					b.Fatal("evaluation lost the ledger's key")
				}
			}
		})
	}
}
