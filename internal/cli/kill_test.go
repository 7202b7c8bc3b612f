package cli

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grantwatch/grantwatch/internal/eventually"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
)

// TestKillReplicaMidFlight runs two `worker run` processes, SIGKILLs the
// leader while it has verify_tenant jobs in flight (Ironclad is slow, so
// checks take a while), and proves that nothing is lost or doubled: the
// survivor takes over the leadership, rescues the dead replica's jobs and
// completes them, every tenant is checked again, and every incident and
// event exists once. Then SIGTERM stops the survivor gracefully.
func TestKillReplicaMidFlight(t *testing.T) {
	t.Parallel()
	const (
		tenants  = 60
		interval = 8 * time.Second
	)
	h := newHarness(t)
	db := h.pool()
	h.alertReceiver()
	// Every fourth company never granted the users scope (ICD-102-A on its
	// first check); every fourth from the second on loses it once checked
	// (ICD-102-B on its second definitive check after that).
	neverGranted := func(i int) bool { return i%4 == 0 }
	losesScope := func(i int) bool { return i%4 == 1 }
	cs := h.addTenants(db, tenants, interval, func(i int) []string {
		if neverGranted(i) {
			return without(allScopes, health.ScopeReadUsers)
		}
		return allScopes
	})
	// Slow users probes keep every check of a tenant with the scope in
	// flight for over a second, well inside the job timeout.
	h.sim.SetFault("", ironcladsim.Fault{Kind: ironcladsim.FaultLatency, Latency: 1500 * time.Millisecond, PathPrefix: "/scim/"})

	env := map[string]string{
		"GRANTWATCH_JOB_TIMEOUT":    "3s",
		"GRANTWATCH_RESCUE_AFTER":   "4s",
		"GRANTWATCH_CONFIRM_DELAY":  "1s",
		"GRANTWATCH_VERIFY_WORKERS": "20",
	}
	doomed := h.startProcess("replica-1", env)
	leader := h.waitLeader(db)
	survivor := h.startProcess("replica-2", env)

	eventually.True(t, 60*time.Second, "every tenant's first conclusive check", func() (bool, string) {
		n := h.tenantsCheckedSince(db, time.Time{})
		return n == tenants, fmt.Sprintf("%d of %d tenants checked", n, tenants)
	})
	for i, c := range cs {
		if losesScope(i) {
			if err := h.sim.RevokeScope(c.clientID, string(health.ScopeReadUsers)); err != nil {
				t.Fatal(err)
			}
		}
	}

	var inFlight []int64
	eventually.True(t, 30*time.Second, "the leader to be running verify jobs", func() (bool, string) {
		inFlight = h.runningJobsOf(db, leader)
		return len(inFlight) >= 3, fmt.Sprintf("%d running on the leader", len(inFlight))
	})
	if err := doomed.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	doomed.wait(t, 10*time.Second)
	stuck := slices.DeleteFunc(inFlight, func(id int64) bool { return h.jobState(db, id) != "running" })
	if len(stuck) == 0 {
		t.Fatalf("every job the leader was running finished before the kill; nothing left to rescue")
	}
	t.Logf("killed the leader with %d verify jobs in flight", len(stuck))

	eventually.True(t, 75*time.Second, "the survivor to rescue the jobs and check every tenant again", func() (bool, string) {
		var unfinished []int64
		for _, id := range stuck {
			if h.jobState(db, id) != "completed" {
				unfinished = append(unfinished, id)
			}
		}
		checked := h.tenantsCheckedSince(db, killedAt)
		var opened int
		h.queryRow(db, `SELECT count(*) FROM incidents WHERE code = 'ICD-102-B'`, nil, &opened)
		return len(unfinished) == 0 && checked == tenants && opened == tenants/4,
			fmt.Sprintf("jobs not yet completed %v; %d of %d tenants checked since the kill; %d ICD-102-B of %d",
				unfinished, checked, tenants, opened, tenants/4)
	})
	var leaders []string
	h.queryRow(db, `SELECT array_agg(leader_id) FROM river_leader`, nil, &leaders)
	if len(leaders) != 1 || leaders[0] == leader {
		t.Errorf("leader after the kill: %v; want the survivor, not the dead %s", leaders, leader)
	}
	for _, id := range stuck {
		var attempt int
		var by []string
		h.queryRow(db, `SELECT attempt, attempted_by FROM river_job WHERE id = $1`, []any{id}, &attempt, &by)
		if attempt < 2 || !slices.Contains(by, leader) || by[len(by)-1] == leader {
			t.Errorf("job %d: attempt %d by %v; want the dead leader's attempt, then the survivor's", id, attempt, by)
		}
	}

	h.expectNoDuplicates(db)
	// …and that history is there to be checked: one opening per incident,
	// one revocation and one suspicion per tenant that lost the scope.
	for kind, want := range map[string]int{"incident_opened": tenants / 2, "scope_revoked": tenants / 4, "suspected": tenants / 4} {
		var n int
		h.queryRow(db, `SELECT count(*) FROM events WHERE kind = $1`, []any{kind}, &n)
		if n != want {
			t.Errorf("%d %s events, want %d", n, kind, want)
		}
	}
	for i, c := range cs {
		var want health.Code
		switch {
		case neverGranted(i):
			want = "ICD-102-A"
		case losesScope(i):
			want = "ICD-102-B"
		default:
			continue
		}
		var got []string
		h.queryRow(db, `SELECT coalesce(array_agg(i.code ORDER BY i.code), '{}') FROM incidents i
			JOIN tenants t ON t.id = i.tenant_id WHERE t.external_id = $1`, []any{c.ext}, &got)
		if !slices.Equal(got, []string{string(want)}) {
			t.Errorf("%s: incidents %v, want exactly one %s", c.ext, got, want)
		}
	}

	// SIGTERM: the survivor finishes or cancels its checks and exits 0
	// within GRANTWATCH_SHUTDOWN_TIMEOUT (replicaEnv's 5s).
	survivor.terminate(t, 5*time.Second)
}

// TestWorkerStopsWithinShutdownBudget: with checks hanging on an Ironclad
// that never answers (and call and job timeouts far beyond the budget),
// SIGTERM still ends `worker run` within GRANTWATCH_SHUTDOWN_TIMEOUT, with
// exit status 0, and the interrupted check records nothing.
func TestWorkerStopsWithinShutdownBudget(t *testing.T) {
	t.Parallel()
	const budget = 3 * time.Second
	h := newHarness(t)
	db := h.pool()
	c := h.addCompany("acme", allScopes, true)
	h.addTenant(c, c.secret)
	h.exec(db, `UPDATE tenants SET next_check_at = now()`)
	h.sim.SetFault("", ironcladsim.Fault{Kind: ironcladsim.FaultHang})
	p := h.startProcess("worker", map[string]string{
		"GRANTWATCH_CALL_TIMEOUT":     "30s",
		"GRANTWATCH_JOB_TIMEOUT":      "1m",
		"GRANTWATCH_RESCUE_AFTER":     "2m",
		"GRANTWATCH_SHUTDOWN_TIMEOUT": budget.String(),
	})
	eventually.True(t, 30*time.Second, "the check to be in flight", func() (bool, string) {
		j := h.verifyJobOf(db, c.ext)
		return j.State == "running", fmt.Sprintf("job %+v", j)
	})
	p.terminate(t, budget)
	if j := h.verifyJobOf(db, c.ext); j.State == "completed" || j.State == "discarded" {
		t.Errorf("the interrupted job ended as %s; it must stay to be retried or rescued", j.State)
	}
	if n := h.checkCount(db, c.ext, true) + h.checkCount(db, c.ext, false); n != 0 {
		t.Errorf("the interrupted check recorded %d checks", n)
	}
}

// process is `worker run` as a separate process (this test binary in worker
// mode, see TestMain), so that it can be killed outright.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer // stdout and stderr
	done chan struct{} // closed when the process was reaped
	err  error         // cmd.Wait's result, once done is closed
}

// startProcess starts `worker run` with the harness's environment plus
// replicaEnv and overrides. The test's cleanup kills it if it still runs.
func (h *harness) startProcess(name string, overrides map[string]string) *process {
	h.t.Helper()
	env := replicaEnv(overrides)
	p := &process{name: name, cmd: h.workerCommand("run"), out: &lockedBuffer{}, done: make(chan struct{})}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		p.cmd.Env = append(p.cmd.Env, k+"="+env[k]) // later entries win
	}
	// A race-enabled binary sleeps a second on exit for late reports;
	// shutdown timing is measured without that.
	p.cmd.Env = append(p.cmd.Env, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		h.t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		defer close(p.done)
		p.err = p.cmd.Wait()
	}()
	h.t.Cleanup(func() {
		_ = p.cmd.Process.Kill() // an error only says it already exited
		<-p.done
	})
	return p
}

// wait waits for the process to exit, failing the test after timeout.
func (p *process) wait(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("%s still running %s later\n%s", p.name, timeout, p.out)
	}
}

// terminate sends SIGTERM and expects exit status 0 within budget, plus a
// second for the process itself to wind down on a loaded machine.
func (p *process) terminate(t *testing.T, budget time.Duration) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	p.wait(t, budget+10*time.Second)
	took := time.Since(sent)
	if p.err != nil {
		t.Errorf("%s: %v after SIGTERM, want exit status 0\n%s", p.name, p.err, p.out)
	}
	if took > budget+time.Second {
		t.Errorf("%s took %s to stop after SIGTERM; the budget is %s", p.name, took.Round(time.Millisecond), budget)
	}
	t.Logf("%s stopped %s after SIGTERM", p.name, took.Round(time.Millisecond))
}

// runningJobsOf returns the verify_tenant jobs a River client is running.
func (h *harness) runningJobsOf(db *pgxpool.Pool, client string) []int64 {
	h.t.Helper()
	var ids []int64
	h.queryRow(db, `SELECT coalesce(array_agg(id), '{}') FROM river_job
		WHERE kind = 'verify_tenant' AND state = 'running' AND attempted_by[array_upper(attempted_by, 1)] = $1`,
		[]any{client}, &ids)
	return ids
}

func (h *harness) jobState(db *pgxpool.Pool, id int64) string {
	h.t.Helper()
	var state string
	h.queryRow(db, `SELECT state::text FROM river_job WHERE id = $1`, []any{id}, &state)
	return state
}

// tenantsCheckedSince counts the tenants with a conclusive check observed
// after since.
func (h *harness) tenantsCheckedSince(db *pgxpool.Pool, since time.Time) int {
	h.t.Helper()
	var n int
	h.queryRow(db, `SELECT count(DISTINCT tenant_id) FROM checks WHERE conclusive AND observed_at > $1`, []any{since}, &n)
	return n
}

// expectNoDuplicates checks the history for anything recorded twice: an
// incident opened twice, a scope granted or revoked twice in a row, a loss
// suspected twice, or two open incidents of one code.
func (h *harness) expectNoDuplicates(db *pgxpool.Pool) {
	h.t.Helper()
	for what, sql := range map[string]string{
		"open incidents of one tenant and code": `SELECT tenant_id::text || ' ' || code FROM incidents
			WHERE resolved_at IS NULL GROUP BY tenant_id, code HAVING count(*) > 1`,
		"incident_opened events of one incident": `SELECT incident_id::text FROM events
			WHERE kind = 'incident_opened' GROUP BY incident_id HAVING count(*) > 1`,
		"scope events repeated for a tenant": `SELECT tenant_id::text || ' ' || kind || ' ' || scopes::text FROM events
			WHERE kind IN ('scope_granted', 'scope_revoked') GROUP BY tenant_id, kind, scopes HAVING count(*) > 1`,
		"suspicions repeated for a tenant": `SELECT tenant_id::text || ' ' || code FROM events
			WHERE kind = 'suspected' GROUP BY tenant_id, code HAVING count(*) > 1`,
	} {
		var dups []string
		h.queryRow(db, `SELECT coalesce(array_agg(d), '{}') FROM (`+sql+`) AS x(d)`, nil, &dups)
		if len(dups) > 0 {
			h.t.Errorf("%s: %s", what, strings.Join(dups, "; "))
		}
	}
}
