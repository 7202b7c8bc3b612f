package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/localpg"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// runDemo is `worker demo`: a scripted story on a throwaway database and the
// simulated Ironclad, told through the real commands. Without DATABASE_URL it
// uses a scratch database on a local server, or a throwaway cluster from the
// local PostgreSQL binaries, and removes it afterwards.
func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "demo", "demo")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("demo takes no arguments")
	}
	out := e.io.Stdout
	began := time.Now()
	say := func(format string, a ...any) {
		fmt.Fprintf(out, "\n[%5.1fs] %s\n", time.Since(began).Seconds(), fmt.Sprintf(format, a...))
	}

	dbURL := e.getenv("DATABASE_URL")
	if dbURL == "" {
		say("No DATABASE_URL: preparing a throwaway PostgreSQL (a local server if one answers, else a cluster from the local binaries)…")
		url, cleanup, err := throwawayDatabase(ctx)
		if err != nil {
			return err
		}
		defer cleanup()
		dbURL = url
	}

	sim := ironcladsim.New(ironcladsim.Options{})
	simSrv, simURL, err := serveLoopback(sim)
	if err != nil {
		return fmt.Errorf("starting the simulated Ironclad: %w", err)
	}
	defer simSrv.Close()

	receiver, err := newDemoReceiver(out, began)
	if err != nil {
		return err
	}
	defer receiver.Close()

	key, err := secret.GenerateKey()
	if err != nil {
		return err
	}
	vars := map[string]string{
		"DATABASE_URL":                    dbURL,
		"GRANTWATCH_SECRET_KEYS":          key,
		"GRANTWATCH_ALLOW_BASE_URLS":      simURL,
		"GRANTWATCH_ALERT_WEBHOOK_URL":    receiver.URL,
		"GRANTWATCH_ALERT_WEBHOOK_SECRET": receiver.secret,
		"LOG_LEVEL":                       "warn",
		"LOG_FORMAT":                      "console",
	}
	getenv := func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return e.getenv(k)
	}
	suffix := randomSuffix()
	worker := func(stdin string, args ...string) error {
		shown := strings.Join(args, " ")
		fmt.Fprintf(out, "  $ worker %s\n", shown)
		var buf strings.Builder
		code := Main(ctx, args, IO{Stdin: strings.NewReader(stdin), Stdout: &buf, Stderr: &buf}, getenv)
		for line := range strings.Lines(buf.String()) {
			fmt.Fprintf(out, "    %s", line)
		}
		if code != exitOK {
			return fmt.Errorf("`worker %s` exited with status %d", shown, code)
		}
		return nil
	}

	say("Migrating the database (grantwatch's tables and River's)")
	if err := worker("", "migrate"); err != nil {
		return err
	}

	say("Starting alert delivery (River's alerts queue) with a webhook receiver that verifies signatures")
	stopAlerts, err := startDemoAlerts(ctx, e, getenv)
	if err != nil {
		return err
	}
	defer stopAlerts()

	say("Simulated Ironclad at %s: three companies connect", simURL)
	type company struct{ ext, clientID, secret, email string }
	mk := func(name string, scopes []string) (company, error) {
		c := company{ext: name + "-" + suffix, clientID: newUUID(), secret: "s3cret-" + randomSuffix(), email: "admin@" + name + ".example"}
		if err := sim.AddCompany(c.ext, 0); err != nil {
			return c, err
		}
		if err := sim.AddApp(c.ext, ironcladsim.App{ClientID: c.clientID, ClientSecret: c.secret, Scopes: scopes, ClientCredentials: true}); err != nil {
			return c, err
		}
		return c, sim.AddUser(c.ext, c.email)
	}
	all := scopeNames(health.Scopes)
	acme, err := mk("acme", all)
	if err != nil {
		return err
	}
	globex, err := mk("globex", all)
	if err != nil {
		return err
	}
	initech, err := mk("initech", all[1:]) // everything but scim.users.readUsers
	if err != nil {
		return err
	}
	add := func(c company, secret string) error {
		return worker(secret+"\n", "tenant", "add", "--external-id", c.ext, "--base-url", simURL,
			"--client-id", c.clientID, "--acting-user-email", c.email, "--client-secret-stdin", "--interval", "15m")
	}
	fmt.Fprintln(out, "  acme: a healthy connection; globex: the secret was mistyped; initech: the app never had the users scope")
	if err := errors.Join(add(acme, acme.secret), add(globex, "mistyped-"+globex.secret), add(initech, initech.secret)); err != nil {
		return err
	}

	say("First checks: setup mistakes show at once as A codes")
	for _, c := range []company{acme, globex, initech} {
		if err := worker("", "check", c.ext); err != nil {
			return err
		}
	}

	say("An Ironclad admin at acme removes scim.users.readUsers from the application")
	if err := sim.RevokeScope(acme.clientID, string(health.ScopeReadUsers)); err != nil {
		return err
	}
	fmt.Fprintln(out, "  The next check sees it once: ICD-102-B is only suspected, no alert yet")
	if err := worker("", "check", acme.ext); err != nil {
		return err
	}
	fmt.Fprintln(out, "  The confirmation check (scheduled soon after) sees it again: ICD-102-B opens and alerts")
	if err := worker("", "check", acme.ext); err != nil {
		return err
	}
	receiver.wait(1, 15*time.Second)

	say("The admin restores the scope")
	if err := sim.GrantScope(acme.clientID, string(health.ScopeReadUsers)); err != nil {
		return err
	}
	if err := worker("", "check", acme.ext); err != nil {
		return err
	}
	receiver.wait(2, 15*time.Second)

	say("The history operators query")
	if err := worker("", "history", "--since", "1h"); err != nil {
		return err
	}
	say("Done in %.1fs; cleaning up.", time.Since(began).Seconds())
	return nil
}

// startDemoAlerts runs an alerts-only River client (the same DeliverWorker as
// `worker run`) so the demo's alerts are really delivered.
func startDemoAlerts(ctx context.Context, e *env, getenv func(string) string) (stop func(), err error) {
	d, err := openDeps(ctx, &env{io: e.io, getenv: getenv}, depsOptions{keyring: true})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	_, sinks, err := loadAlerting(getenv, d.log)
	if err != nil {
		return nil, err
	}
	client, err := jobs.NewClient(jobs.Config{
		Pool: d.pool, Store: d.store, Verifier: &jobs.Verifier{}, Sinks: sinks, AlertWorkers: 2,
		JobTimeout: d.cfg.JobTimeout, RescueAfter: d.cfg.RescueAfter, Log: d.log, AlertsOnly: true,
	}, false)
	if err != nil {
		return nil, err
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("starting the demo's alert delivery: %w", err)
	}
	return func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Stop(stopCtx)
		d.Close()
	}, nil
}

// demoReceiver is a webhook receiver that verifies each delivery's signature
// and prints it into the story.
type demoReceiver struct {
	URL    string
	secret string
	srv    *http.Server
	mu     sync.Mutex
	cond   *sync.Cond
	got    int
}

func newDemoReceiver(out io.Writer, began time.Time) (*demoReceiver, error) {
	r := &demoReceiver{secret: "demo-webhook-" + randomSuffix()}
	r.cond = sync.NewCond(&r.mu)
	srv, base, err := serveLoopback(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		verr := alert.Verify([]byte(r.secret), req.Header.Get(alert.SignatureHeader), body, time.Now(), 5*time.Minute)
		verdict := "signature verified"
		if verr != nil {
			verdict = "BAD SIGNATURE: " + verr.Error()
		}
		r.mu.Lock()
		fmt.Fprintf(out, "  [%5.1fs] webhook received (%s, Idempotency-Key %s):\n    %s\n",
			time.Since(began).Seconds(), verdict, req.Header.Get("Idempotency-Key"), summarizeWebhook(body))
		r.got++
		r.cond.Broadcast()
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	if err != nil {
		return nil, fmt.Errorf("starting the demo's webhook receiver: %w", err)
	}
	r.srv, r.URL = srv, base+"/hooks/grantwatch"
	return r, nil
}

// wait blocks until n deliveries arrived or the timeout passed.
func (r *demoReceiver) wait(n int, timeout time.Duration) {
	t := time.AfterFunc(timeout, func() { r.mu.Lock(); r.cond.Broadcast(); r.mu.Unlock() })
	defer t.Stop()
	deadline := time.Now().Add(timeout)
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.got < n && time.Now().Before(deadline) {
		r.cond.Wait()
	}
}

func (r *demoReceiver) Close() { _ = r.srv.Close() }

// summarizeWebhook renders a received webhook body as a few readable lines:
// what a receiver would page someone with.
func summarizeWebhook(body []byte) string {
	var p struct {
		State    string   `json:"state"`
		Severity string   `json:"severity"`
		Code     string   `json:"code"`
		Title    string   `json:"title"`
		Remedy   []string `json:"remedy"`
		Scopes   []string `json:"scopes"`
		Evidence string   `json:"evidence"`
		Tenant   struct {
			ID string `json:"id"`
		} `json:"tenant"`
		EventIDs []int64 `json:"event_ids"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return "(not JSON: " + err.Error() + ")"
	}
	lines := []string{
		fmt.Sprintf("%s %s %s for tenant %s: %s", strings.ToUpper(p.State), p.Severity, p.Code, p.Tenant.ID, p.Title),
		fmt.Sprintf("scopes %v; evidence %q; events %v", p.Scopes, p.Evidence, p.EventIDs),
	}
	if len(p.Remedy) > 1 {
		lines = append(lines, "remedy: "+strings.Join(p.Remedy[1:], " "))
	}
	return strings.Join(lines, "\n    ")
}

// throwawayDatabase returns the URL of a new, empty database on a local
// server (or a throwaway cluster started from the local binaries) and a
// function that removes it again.
func throwawayDatabase(ctx context.Context) (string, func(), error) {
	admin, stop, err := localpg.AdminURL(ctx, localpg.Options{})
	if err != nil {
		return "", nil, err
	}
	url, drop, err := scratchDatabase(ctx, admin)
	if err != nil {
		stop()
		return "", nil, err
	}
	return url, func() { drop(); stop() }, nil
}

// scratchDatabase creates a uniquely named database on an admin connection
// and returns its URL and a function that drops it.
func scratchDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("the local PostgreSQL admin address is not a postgres:// URL")
	}
	name := "grantwatch_demo_" + randomSuffix()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connecting to the local PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("creating the demo database: %w", err)
	}
	u.Path = "/" + name
	drop := func() {
		c, err := pgx.Connect(context.Background(), adminURL)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// serveLoopback serves h on a free loopback port until the returned server
// is closed, and returns the server and its base URL.
func serveLoopback(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	return srv, "http://" + ln.Addr().String(), nil
}
