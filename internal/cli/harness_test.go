package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
	"github.com/grantwatch/grantwatch/internal/pgtest"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// execMainEnv, when set in the environment, makes the test binary act as the
// worker binary: tests that need a real process (to SIGKILL it) re-execute
// themselves with it, running exactly the code of cmd/worker.
const execMainEnv = "GRANTWATCH_TEST_EXEC_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(execMainEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, os.Args[1:], IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Getenv)
		stop()
		os.Exit(code)
	}
	os.Exit(pgtest.Main(m))
}

// workerCommand returns an *exec.Cmd that runs `worker args…` as a separate
// process (this test binary in worker mode) with the harness's environment.
func (h *harness) workerCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), execMainEnv+"=1")
	for k, v := range h.env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// harness runs the real CLI (Main) against a fresh database and the
// simulated Ironclad over real HTTP.
type harness struct {
	t      *testing.T
	sim    *ironcladsim.Sim
	simURL string
	dbURL  string
	mu     sync.Mutex
	vars   map[string]string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	sim := ironcladsim.New(ironcladsim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sim: sim, simURL: srv.URL, dbURL: pgtest.URL(t)}
	h.vars = map[string]string{
		"DATABASE_URL":               h.dbURL,
		"GRANTWATCH_SECRET_KEYS":     key,
		"GRANTWATCH_ALLOW_BASE_URLS": srv.URL,
		"GRANTWATCH_CALL_TIMEOUT":    "2s",
		"LOG_LEVEL":                  "warn",
	}
	return h
}

func (h *harness) setenv(k, v string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.vars[k] = v
}

func (h *harness) getenv(k string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.vars[k]
}

func (h *harness) env() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.vars)
}

// run runs `worker args…` with stdin and returns stdout, stderr and the exit status.
func (h *harness) run(stdin string, args ...string) (string, string, int) {
	h.t.Helper()
	var out, errOut bytes.Buffer
	code := Main(h.t.Context(), args, IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}, h.getenv)
	return out.String(), errOut.String(), code
}

// mustRun is run that fails the test on a non-zero exit.
func (h *harness) mustRun(stdin string, args ...string) string {
	h.t.Helper()
	out, errOut, code := h.run(stdin, args...)
	if code != 0 {
		h.t.Fatalf("worker %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// company is one simulated Ironclad company with one app and one admin.
type company struct {
	ext, clientID, secret, email string
}

var allScopes = func() []string {
	s := make([]string, len(health.Scopes))
	for i, sc := range health.Scopes {
		s[i] = string(sc)
	}
	return s
}()

func without(scopes []string, drop ...health.Scope) []string {
	var out []string
	for _, s := range scopes {
		keep := true
		for _, d := range drop {
			if s == string(d) {
				keep = false
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// addCompany creates a company in the simulator and returns it.
func (h *harness) addCompany(name string, scopes []string, grant bool) company {
	h.t.Helper()
	c := company{ext: name, clientID: newUUID(), secret: "secret-" + randomSuffix(), email: "admin@" + name + ".example"}
	if err := h.sim.AddCompany(c.ext, 0); err != nil {
		h.t.Fatal(err)
	}
	if err := h.sim.AddApp(c.ext, ironcladsim.App{ClientID: c.clientID, ClientSecret: c.secret, Scopes: scopes, ClientCredentials: grant}); err != nil {
		h.t.Fatal(err)
	}
	if err := h.sim.AddUser(c.ext, c.email); err != nil {
		h.t.Fatal(err)
	}
	return c
}

// addTenant registers c as a tenant through `worker tenant add`, with the
// given secret (c.secret unless it is meant to be wrong).
func (h *harness) addTenant(c company, secretValue string) {
	h.t.Helper()
	h.mustRun(secretValue+"\n", "tenant", "add", "--external-id", c.ext, "--base-url", h.simURL,
		"--client-id", c.clientID, "--acting-user-email", c.email, "--client-secret-stdin", "--interval", "1h")
}

func (h *harness) check(ext string) checkJSON {
	h.t.Helper()
	var c checkJSON
	out := h.mustRun("", "check", ext, "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		h.t.Fatalf("check --json: %v\n%s", err, out)
	}
	return c
}

func (h *harness) history(args ...string) []incidentJSON {
	h.t.Helper()
	var inc []incidentJSON
	out := h.mustRun("", append([]string{"history", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &inc); err != nil {
		h.t.Fatalf("history --json: %v\n%s", err, out)
	}
	return inc
}

func codes(c []health.Code) string { return fmt.Sprint(c) }
