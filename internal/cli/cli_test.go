package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/eventually"
	"github.com/grantwatch/grantwatch/internal/health"
)

// TestUsageErrors: bad usage exits 2 with exactly one line on stderr and
// nothing on stdout, before touching the database.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := [][]string{
		{},
		{"frobnicate"},
		{"check"},
		{"check", "a", "b"},
		{"check", "--nope", "x"},
		{"history", "--limit", "0"},
		{"history", "--code", "ICD-999-Z"},
		{"history", "--since", "yesterday"},
		{"history", "stray"},
		{"history", "--open", "--undelivered"},
		{"tenant"},
		{"tenant", "explode"},
		{"tenant", "add", "--external-id", "x", "--client-id", "c", "--acting-user-email", "a@b.c", "--client-secret-stdin"},
		{"tenant", "add", "--external-id", "x", "--region", "na1", "--base-url", "http://x", "--client-id", "c", "--acting-user-email", "a@b.c", "--client-secret-stdin"},
		{"tenant", "add", "--external-id", "x", "--region", "na1", "--client-id", "c", "--acting-user-email", "a@b.c"},
		{"tenant", "add", "--external-id", "x", "--region", "mars", "--client-id", "c", "--acting-user-email", "a@b.c", "--client-secret-stdin"},
		{"tenant", "add", "--external-id", "x", "--base-url", "http://169.254.169.254", "--client-id", "c", "--acting-user-email", "a@b.c", "--client-secret-stdin"},
		{"tenant", "rotate", "x"},
		{"alert"},
		{"sim", "extra"},
	}
	for _, args := range cases {
		out, errOut, code := h.run("s3cret\n", args...)
		name := strings.Join(args, " ")
		if code != exitUsage {
			t.Errorf("worker %s: exit %d, want %d (stderr %q)", name, code, exitUsage, errOut)
		}
		if len(args) > 0 && out != "" {
			t.Errorf("worker %s: stdout %q, want nothing", name, out)
		}
		if lines := strings.Count(strings.TrimRight(errOut, "\n"), "\n"); len(args) > 0 && (lines != 0 || errOut == "") {
			t.Errorf("worker %s: stderr should be one line, got %q", name, errOut)
		}
		if strings.Contains(out+errOut, "s3cret") {
			t.Errorf("worker %s printed the secret", name)
		}
	}
	if _, _, code := h.run("", "help"); code != exitOK {
		t.Errorf("worker help: exit %d", code)
	}
	if out, _, code := h.run("", "history", "-h"); code != exitOK || !strings.Contains(out, "--since") {
		t.Errorf("worker history -h: exit %d, %q", code, out)
	}
}

// TestConfigurationErrors: a bad environment is a usage error naming the variable.
func TestConfigurationErrors(t *testing.T) {
	t.Parallel()
	for name, vars := range map[string]map[string]string{
		"GRANTWATCH_CONFIRM_AFTER":   {"GRANTWATCH_CONFIRM_AFTER": "zero"},
		"GRANTWATCH_SCHEDULE_EVERY":  {"GRANTWATCH_SCHEDULE_EVERY": "10ms"},
		"LOG_FORMAT":                 {"LOG_FORMAT": "xml"},
		"GRANTWATCH_SECRET_KEYS":     {"GRANTWATCH_SECRET_KEYS": "k1:bm90LWEta2V5"},
		"GRANTWATCH_ALLOW_BASE_URLS": {"GRANTWATCH_ALLOW_BASE_URLS": "not a url"},
		"DATABASE_URL":               {"DATABASE_URL": ""},
		"GRANTWATCH_RESCUE_AFTER":    {"GRANTWATCH_RESCUE_AFTER": "30s", "GRANTWATCH_JOB_TIMEOUT": "1m"},
		"GRANTWATCH_CHECK_RETENTION": {"GRANTWATCH_CHECK_RETENTION": "forever"},
		// The environment's webhook sink is named "webhook".
		`sink "webhook"`: {"GRANTWATCH_ALERT_WEBHOOK_URL": "ftp://x", "GRANTWATCH_ALERT_WEBHOOK_SECRET": "whsec"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			for k, v := range vars {
				h.setenv(k, v)
			}
			_, errOut, code := h.run("", "run", "--http-addr", "127.0.0.1:0")
			if code != exitUsage || !strings.Contains(errOut, name) {
				t.Errorf("exit %d, stderr %q: want exit 2 naming %s", code, errOut, name)
			}
			if strings.Contains(errOut, "whsec") || strings.Contains(errOut, "bm90LWEta2V5") {
				t.Errorf("the error repeats a secret: %q", errOut)
			}
		})
	}
}

// TestTenantLifecycle drives every tenant command and the text outputs, and
// checks that the client secret is printed nowhere.
func TestTenantLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.addCompany("lifecycle", allScopes, true)
	h.addTenant(c, c.secret)

	out, _, code := h.run(c.secret+"\n", "tenant", "add", "--external-id", c.ext, "--base-url", h.simURL,
		"--client-id", c.clientID, "--acting-user-email", c.email, "--client-secret-stdin")
	if code != exitFail {
		t.Errorf("a duplicate external id: exit %d, want 1 (%q)", code, out)
	}
	if out := h.mustRun(c.secret+"\n", "tenant", "add", "--if-absent", "--external-id", c.ext, "--base-url", h.simURL,
		"--client-id", c.clientID, "--acting-user-email", c.email, "--client-secret-stdin"); !strings.Contains(out, "already exists") {
		t.Errorf("--if-absent: %q", out)
	}

	var listed []map[string]any
	if err := json.Unmarshal([]byte(h.mustRun("", "tenant", "list", "--json")), &listed); err != nil || len(listed) != 1 {
		t.Fatalf("tenant list --json: %v %v", listed, err)
	}
	if listed[0]["external_id"] != c.ext || listed[0]["state"] != "active" {
		t.Errorf("tenant list: %v", listed[0])
	}
	if out := h.mustRun("", "tenant", "list"); !strings.Contains(out, c.ext) {
		t.Errorf("tenant list: %q", out)
	}
	if out := h.mustRun("", "tenant", "show", c.ext); !strings.Contains(out, c.clientID) || !strings.Contains(out, "sealed with key") {
		t.Errorf("tenant show: %q", out)
	}

	h.mustRun("", "tenant", "pause", c.ext)
	if out := h.mustRun("", "status", c.ext); !strings.Contains(out, "paused") || !strings.Contains(out, "last check never") {
		t.Errorf("status of a paused tenant: %q", out)
	}
	h.mustRun("", "tenant", "resume", c.ext)

	// Rotating to a wrong secret: the new generation never worked (A);
	// rotating back resolves it.
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("wrong-"+c.secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.mustRun("", "tenant", "rotate", c.ext, "--client-secret-file", secretFile)
	h.expect("wrong rotated secret", h.check(c.ext), want{open: []health.Code{"ICD-100-A"}})
	out = h.mustRun("", "check", c.ext)
	if !strings.Contains(out, "OPEN       ICD-100-A") {
		t.Errorf("check text output: %q", out)
	}
	h.mustRun(c.secret+"\n", "tenant", "rotate", c.ext, "--client-secret-stdin")
	h.expect("rotated back", h.check(c.ext), want{})
	if out := h.mustRun("", "history", "--tenant", c.ext, "--code", "icd-100-a"); !strings.Contains(out, "resolved") {
		t.Errorf("history text output: %q", out)
	}

	h.mustRun("", "tenant", "remove", c.ext)
	if _, errOut, code := h.run("", "status", c.ext); code != exitFail || !strings.Contains(errOut, "no tenant") {
		t.Errorf("status of a removed tenant: exit %d, %q", code, errOut)
	}
	if out := h.mustRun("", "tenant", "list", "--all", "--json"); !strings.Contains(out, `"removed"`) {
		t.Errorf("tenant list --all: %q", out)
	}

	// Nothing the commands printed, nor anything stored, holds the secret.
	for _, args := range [][]string{{"tenant", "list", "--all", "--json"}, {"history", "--json"}} {
		if out := h.mustRun("", args...); strings.Contains(out, c.secret) {
			t.Errorf("worker %s printed the secret", strings.Join(args, " "))
		}
	}
}

// TestSimCommand: `worker sim --addr 127.0.0.1:0` prints its address and a
// demo company whose credentials work, and serves the admin API.
func TestSimCommand(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	out := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"sim", "--addr", "127.0.0.1:0"}, IO{Stdin: strings.NewReader(""), Stdout: out, Stderr: out}, func(string) string { return "" })
	}()
	field := func(prefix string) string {
		for line := range strings.Lines(out.String()) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	eventually.True(t, 10*time.Second, "the simulator to print its demo company", func() (bool, string) {
		return field("demo acting user email:") != "", out.String()
	})
	base := field("ironclad simulator listening on")
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {field("demo client id:")},
		"client_secret": {field("demo client secret:")}, "scope": {string(health.ScopeReadUsers)}}
	resp, err := http.PostForm(base+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a token for the printed demo credentials: %s", resp.Status)
	}
	resp, err = http.Get(base + "/_sim/companies")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /_sim/companies: %s", resp.Status)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("worker sim exited %d after its context ended", code)
	}
}
