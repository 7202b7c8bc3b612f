package ironcladsim

import (
	"net/http"
	"testing"
	"time"
)

func TestCalls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{TokenTTL: time.Minute})
	company := e.demo.CompanyID
	want := map[string]int{} // expected counters, by company ("" unattributed)
	check := func(step string) {
		t.Helper()
		for id, n := range want {
			if got := e.sim.Calls(id); got != n {
				t.Errorf("%s: Calls(%q) = %d, want %d", step, id, got, n)
			}
		}
	}

	tok := e.token(t)
	e.do(t, e.tokenRequest(t, tokenCreds{id: e.demo.ClientID, secret: "wrong"}, nil, false))
	e.do(t, e.tokenRequest(t, tokenCreds{id: newUUID(), secret: "x"}, nil, false))
	e.do(t, e.tokenRequest(t, tokenCreds{id: "not-a-uuid", secret: "x"}, nil, false))
	want[company], want[""] = 2, 2
	check("token requests")

	e.get(t, recordsPath, tok, e.demo.ActingUserEmail)
	e.get(t, recordsPath, tok, "")                         // refused: no acting user
	e.get(t, "/no/such/path", tok, e.demo.ActingUserEmail) // unknown path
	e.get(t, recordsPath, "bogus", e.demo.ActingUserEmail)
	e.get(t, recordsPath, "", "")
	want[company] += 3
	want[""] += 2
	check("API requests")

	e.sim.SetFault(company, Fault{Kind: FaultReset})
	_, _, _ = plainGet(t, e.srv.URL+recordsPath, tok, time.Second)
	e.sim.SetFault(company, Fault{Kind: FaultServerError})
	e.get(t, recordsPath, tok, e.demo.ActingUserEmail)
	e.sim.ClearFaults(company)
	want[company] += 2
	check("faulted requests")

	e.clock.Advance(time.Minute)
	e.get(t, recordsPath, tok, e.demo.ActingUserEmail) // expired: still the company's
	if err := e.sim.DeleteApp(e.demo.ClientID); err != nil {
		t.Fatal(err)
	}
	e.do(t, e.tokenRequest(t, e.creds(), nil, false)) // deleted app: still the company's
	want[company] += 2
	check("expired token and deleted app")

	e.adminDo(t, http.MethodGet, "/_sim/companies/"+company+"/calls", "")
	check("control requests are not counted")

	e.sim.ResetCalls(company)
	want[company] = 0
	check("after ResetCalls")
	e.sim.ResetCalls("")
	want[""] = 0
	check("after ResetCalls of the unattributed")
}
