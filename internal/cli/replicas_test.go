package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grantwatch/grantwatch/internal/eventually"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// TestReplicasShareTheSchedule runs two `worker run` replicas side by side
// over 200 tenants for four check intervals, then reads what they did from
// the database: every tenant was checked once in every interval (no gap long
// enough to hide a skipped round, none short enough to be a second check in
// one round); the schedule was one leader's alone, one schedule_due fan-out
// per period; and both replicas shared the verification work.
func TestReplicasShareTheSchedule(t *testing.T) {
	t.Parallel()
	const (
		tenants  = 200
		interval = 5 * time.Second
		period   = time.Second // GRANTWATCH_SCHEDULE_EVERY
		rounds   = 4
		// slack absorbs what a loaded two-core machine adds to a check's
		// start: the wait for the schedule_due job and for a free worker.
		// It stays well below an interval, so a skipped round (a gap of
		// two intervals) or a doubled one (a gap near zero) still fails.
		slack = 2 * time.Second
	)
	h := newHarness(t)
	db := h.pool()
	h.addTenants(db, tenants, interval, func(int) []string { return allScopes })
	// A fleet that has run for a while has its checks spread over the
	// interval; start from there rather than from 200 checks due at once.
	start := time.Now()
	h.exec(db, `UPDATE tenants SET next_check_at = $1::timestamptz + (id % $2) * $3::interval / $2`,
		start, tenants, interval)

	// LOG_LEVEL=info: each replica logs the address it listens on.
	env := map[string]string{"GRANTWATCH_SCHEDULE_EVERY": period.String(), "LOG_LEVEL": "info"}
	first := h.startReplica("replica-1", env)
	leader := h.waitLeader(db)
	second := h.startReplica("replica-2", env)
	for _, r := range []*replica{first, second} {
		r.expectReady(t)
	}

	var end time.Time
	eventually.True(t, 2*rounds*interval+30*time.Second, fmt.Sprintf("every tenant to be checked %d times", rounds), func() (bool, string) {
		var fewest int
		h.queryRow(db, `SELECT coalesce(min(n), 0) FROM (
			SELECT count(c.id) AS n FROM tenants t LEFT JOIN checks c ON c.tenant_id = t.id GROUP BY t.id) AS per_tenant`, nil, &fewest)
		end = time.Now()
		return fewest >= rounds, fmt.Sprintf("the least checked tenant has %d checks", fewest)
	})
	var leaders []string
	h.queryRow(db, `SELECT array_agg(leader_id) FROM river_leader`, nil, &leaders)
	stopAll(t, first, second)

	if len(leaders) != 1 || leaders[0] != leader {
		t.Errorf("river_leader at the end: %v; want the first replica %s throughout", leaders, leader)
	}
	lo, hi := time.Duration(float64(interval)*0.95)-slack, time.Duration(float64(interval)*1.05)+period+slack
	checks := h.checkTimes(db)
	if len(checks) != tenants {
		t.Errorf("%d tenants were checked, want %d", len(checks), tenants)
	}
	shortest, longest := time.Duration(1<<62), time.Duration(0)
	for _, ext := range sortedKeys(checks) {
		// Checks that began after the window closed (while the replicas
		// were stopping) are outside what is measured.
		times := slices.DeleteFunc(checks[ext], func(at time.Time) bool { return at.After(end) })
		if len(times) == 0 {
			t.Errorf("%s: no check in the window", ext)
			continue
		}
		// Its first check was due within the first interval.
		if first := times[0].Sub(start); first > interval+period+slack {
			t.Errorf("%s: first checked %s after the start, later than its first interval allows", ext, first.Round(time.Millisecond))
		}
		// Claims of one tenant are at least 0.95 intervals apart, whatever
		// the queues add to each check, so this many fit in the window.
		if most := int(end.Sub(start)/(interval*95/100)) + 1; len(times) > most {
			t.Errorf("%s: checked %d times in %s; at most %d fit one per interval", ext, len(times),
				end.Sub(start).Round(time.Millisecond), most)
		}
		// Between checks, and from the last one to the window's end, no
		// more than an interval (and the scheduler's delays) may pass.
		edges := append(slices.Clone(times), end)
		for i := 1; i < len(edges); i++ {
			gap := edges[i].Sub(edges[i-1])
			if i < len(times) {
				shortest, longest = min(shortest, gap), max(longest, gap)
			}
			switch {
			case gap > hi:
				t.Errorf("%s: %s without a check (%s → %s): a round was skipped", ext, gap.Round(time.Millisecond),
					edges[i-1].Format(time.StampMilli), edges[i].Format(time.StampMilli))
			case i < len(times) && gap < lo:
				t.Errorf("%s: checks %s apart (%s → %s): twice in one interval", ext, gap.Round(time.Millisecond),
					edges[i-1].Format(time.StampMilli), edges[i].Format(time.StampMilli))
			}
		}
	}

	t.Logf("gaps between consecutive checks: %s to %s (allowed %s to %s)", shortest.Round(time.Millisecond),
		longest.Round(time.Millisecond), lo, hi)

	var doubled, fanouts int
	h.queryRow(db, `SELECT count(*) FROM (SELECT 1 FROM river_job WHERE kind = 'schedule_due'
		GROUP BY floor(extract(epoch FROM scheduled_at) / $1) HAVING count(*) > 1) AS d`, []any{period.Seconds()}, &doubled)
	h.queryRow(db, `SELECT count(*) FROM river_job WHERE kind = 'schedule_due'`, nil, &fanouts)
	if doubled != 0 {
		t.Errorf("%d schedule periods had more than one schedule_due job", doubled)
	}
	if most := int(end.Sub(start)/period) + 2; fanouts > most || fanouts < rounds {
		t.Errorf("%d schedule_due jobs over %s, want between %d and %d (one per %s)", fanouts, end.Sub(start).Round(time.Millisecond), rounds, most, period)
	}

	worked := h.workedBy(db, "verify_tenant")
	if len(worked) != 2 || worked[leader] == 0 {
		t.Fatalf("verify_tenant jobs by client: %v; want both replicas, the leader %s among them", worked, leader)
	}
	for id, n := range worked {
		t.Logf("replica %s worked %d verify_tenant jobs", id, n)
	}
}

// replicaEnv is what every replica in these tests is configured with on top
// of the harness: a fast schedule, short retries, modest pools (several
// replicas share one test server) and an HTTP listener on a free port; then
// the test's own overrides.
func replicaEnv(overrides map[string]string) map[string]string {
	env := map[string]string{
		"GRANTWATCH_HTTP_ADDR":         "127.0.0.1:0",
		"GRANTWATCH_SCHEDULE_EVERY":    "1s",
		"GRANTWATCH_VERIFY_RETRY_BASE": "500ms",
		"GRANTWATCH_VERIFY_WORKERS":    "10",
		"GRANTWATCH_ALERT_WORKERS":     "2",
		"GRANTWATCH_DB_MAX_CONNS":      "14",
		"GRANTWATCH_SHUTDOWN_TIMEOUT":  "5s",
	}
	maps.Copy(env, overrides)
	return env
}

// replica is `worker run` started in this process through Main, exactly as
// cmd/worker starts it, with its own context standing in for SIGTERM.
type replica struct {
	name   string
	cancel context.CancelFunc
	done   chan struct{} // closed when Main returned
	code   int           // Main's exit status, once done is closed
	out    *lockedBuffer // stdout and stderr
}

// startReplica starts `worker run` with the harness's environment plus
// replicaEnv and overrides. The test's cleanup stops it if the test does not.
func (h *harness) startReplica(name string, overrides map[string]string) *replica {
	h.t.Helper()
	env := replicaEnv(overrides)
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return h.getenv(k)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{name: name, cancel: cancel, done: make(chan struct{}), out: &lockedBuffer{}}
	go func() {
		defer close(r.done)
		r.code = Main(ctx, []string{"run"}, IO{Stdin: strings.NewReader(""), Stdout: r.out, Stderr: r.out}, getenv)
	}()
	h.t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// stopAll stops replicas as SIGTERM would, all at once, and expects each to
// exit 0 within its shutdown budget.
func stopAll(t *testing.T, rs ...*replica) {
	t.Helper()
	for _, r := range rs {
		r.cancel()
	}
	for _, r := range rs {
		r.wait(t)
	}
}

// expectReady waits for the replica to log its listening address (it was
// given port 0) and for /readyz there to answer 200.
func (r *replica) expectReady(t *testing.T) {
	t.Helper()
	var addr string
	eventually.True(t, 30*time.Second, r.name+" to listen and be ready", func() (bool, string) {
		if addr == "" {
			addr = loggedField(r.out.String(), "worker starting", "http_addr")
			if addr == "" {
				return false, "no listening address logged yet"
			}
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, fmt.Sprintf("/readyz on %s: %s", addr, resp.Status)
	})
}

// loggedField returns a field of the first JSON log line with the message.
func loggedField(logs, message, field string) string {
	for line := range strings.Lines(logs) {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) == nil && entry["message"] == message {
			v, _ := entry[field].(string)
			return v
		}
	}
	return ""
}

func (r *replica) stop(t *testing.T) {
	t.Helper()
	stopAll(t, r)
}

func (r *replica) wait(t *testing.T) {
	t.Helper()
	const budget = 5*time.Second + 10*time.Second // the shutdown budget plus room for a loaded machine
	select {
	case <-r.done:
	case <-time.After(budget):
		t.Fatalf("%s did not stop within %s of its cancellation\n%s", r.name, budget, r.out)
	}
	if r.code != 0 {
		t.Errorf("%s exited %d\n%s", r.name, r.code, r.out)
	}
}

// lockedBuffer is a bytes.Buffer that many goroutines may write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// addTenants creates n simulated companies and registers each as a tenant
// checked every interval, straight through the store and sealed as `tenant
// add` seals: n CLI runs would open n pools. scopes gives company i's scopes.
func (h *harness) addTenants(db *pgxpool.Pool, n int, interval time.Duration, scopes func(i int) []string) []company {
	h.t.Helper()
	keyring, err := secret.ParseKeyring(h.getenv("GRANTWATCH_SECRET_KEYS"))
	if err != nil {
		h.t.Fatal(err)
	}
	store := postgres.New(db, postgres.Options{})
	cs := make([]company, n)
	for i := range n {
		c := h.addCompany(fmt.Sprintf("tenant-%03d", i), scopes(i), true)
		sealed, err := keyring.Seal(secret.New(c.secret), jobs.SecretAAD(c.ext))
		if err != nil {
			h.t.Fatal(err)
		}
		if _, err := store.CreateTenant(h.t.Context(), postgres.NewTenant{
			ExternalID: c.ext, BaseURL: h.simURL, ClientID: c.clientID, Secret: sealed,
			ActingUserEmail: c.email, CheckInterval: interval,
		}); err != nil {
			h.t.Fatal(err)
		}
		cs[i] = c
	}
	return cs
}

// waitLeader waits for River to elect a leader and returns its client id.
func (h *harness) waitLeader(db *pgxpool.Pool) string {
	h.t.Helper()
	var leader string
	eventually.True(h.t, 30*time.Second, "River to elect a leader", func() (bool, string) {
		err := db.QueryRow(h.t.Context(), `SELECT leader_id FROM river_leader`).Scan(&leader)
		return err == nil, fmt.Sprint(err)
	})
	return leader
}

// checkTimes returns each tenant's conclusive checks, oldest first, and
// fails the test on an inconclusive one: nothing here should be.
func (h *harness) checkTimes(db *pgxpool.Pool) map[string][]time.Time {
	h.t.Helper()
	rows, err := db.Query(h.t.Context(), `
		SELECT t.external_id, c.observed_at, c.conclusive
		FROM checks c JOIN tenants t ON t.id = c.tenant_id
		ORDER BY t.external_id, c.observed_at`)
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string][]time.Time{}
	var (
		ext        string
		at         time.Time
		conclusive bool
	)
	if _, err := pgx.ForEachRow(rows, []any{&ext, &at, &conclusive}, func() error {
		if !conclusive {
			h.t.Errorf("%s: inconclusive check at %s", ext, at.Format(time.StampMilli))
		}
		out[ext] = append(out[ext], at)
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// workedBy counts, per River client id, the jobs of a kind it attempted.
func (h *harness) workedBy(db *pgxpool.Pool, kind string) map[string]int {
	h.t.Helper()
	rows, err := db.Query(h.t.Context(), `
		SELECT client, count(*) FROM river_job, unnest(attempted_by) AS client
		WHERE kind = $1 GROUP BY client`, kind)
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]int{}
	var (
		client string
		n      int
	)
	if _, err := pgx.ForEachRow(rows, []any{&client, &n}, func() error {
		out[client] = n
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// sortedKeys is the keys of m in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
