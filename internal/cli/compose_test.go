package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// composeFile is the part of docker-compose.yml this test reads.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       string            `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Secrets     []string          `yaml:"secrets"`
	} `yaml:"services"`
	Secrets map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

// TestComposeCommands keeps docker-compose.yml honest without a Docker
// engine: it runs every command the file gives the grantwatch image, with the
// file's environment, in-process against a real Postgres and the simulator
// on real ports, and checks the result is a working system (the seeded
// tenant verified healthy by the worker, /readyz ok).
func TestComposeCommands(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(raw, &cf); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"postgres", "migrate", "sim", "seed", "worker"} {
		if _, ok := cf.Services[name]; !ok {
			t.Fatalf("docker-compose.yml has no %q service", name)
		}
	}
	if img := cf.Services["postgres"].Image; !strings.HasPrefix(img, "postgres:") {
		t.Errorf("postgres service image = %q", img)
	}

	// The compose network's names become this machine's addresses.
	dbURL := pgtestURL(t)
	simAddr, workerAddr := freeAddr(t), freeAddr(t)
	pgEnv := cf.Services["postgres"].Environment
	composeDB := fmt.Sprintf("postgres://%s:%s@postgres:5432/%s?sslmode=disable", pgEnv["POSTGRES_USER"], pgEnv["POSTGRES_PASSWORD"], pgEnv["POSTGRES_DB"])
	replacer := strings.NewReplacer(
		composeDB, dbURL,
		"http://sim:8089", "http://"+simAddr,
		"0.0.0.0:8089", simAddr,
		":8080", workerAddr,
	)
	secretPaths := map[string]string{}
	for name, s := range cf.Secrets {
		abs, err := filepath.Abs(filepath.Join("../..", s.File))
		if err != nil {
			t.Fatal(err)
		}
		secretPaths["/run/secrets/"+name] = abs
	}
	command := func(service string) ([]string, func(string) string) {
		svc := cf.Services[service]
		if svc.Build != "." {
			t.Fatalf("service %s is not built from this repository", service)
		}
		args := make([]string, len(svc.Command))
		for i, a := range svc.Command {
			for from, to := range secretPaths {
				a = strings.ReplaceAll(a, from, to)
			}
			args[i] = replacer.Replace(a)
		}
		env := map[string]string{}
		for k, v := range svc.Environment {
			env[k] = replacer.Replace(v)
		}
		if svc.Environment != nil && env["DATABASE_URL"] != dbURL {
			t.Fatalf("service %s: DATABASE_URL %q does not match the postgres service's credentials", service, svc.Environment["DATABASE_URL"])
		}
		env["LOG_LEVEL"] = "warn"
		return args, func(k string) string { return env[k] }
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	runService := func(service string) (string, int) {
		args, getenv := command(service)
		var out strings.Builder
		code := Main(ctx, args, IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out}, getenv)
		return out.String(), code
	}
	background := func(service string) <-chan int {
		done := make(chan int, 1)
		go func() {
			out, code := runService(service)
			if code != 0 && ctx.Err() == nil {
				t.Errorf("%s exited %d: %s", service, code, out)
			}
			done <- code
		}()
		return done
	}

	if out, code := runService("migrate"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, out)
	}
	simDone := background("sim")
	waitHTTP(t, "http://"+simAddr+"/_sim/companies", 0)
	for range 2 { // the seed step must be re-runnable (`docker compose up` twice)
		if out, code := runService("seed"); code != 0 {
			t.Fatalf("seed: exit %d: %s", code, out)
		}
	}
	workerDone := background("worker")
	waitHTTP(t, "http://"+workerAddr+"/readyz", http.StatusOK)

	// The worker's scheduler verifies the seeded tenant by itself.
	_, getenv := command("worker")
	deadline := time.Now().Add(30 * time.Second)
	for {
		var out strings.Builder
		if Main(ctx, []string{"status", "demo", "--json"}, IO{Stdout: &out, Stderr: &out}, getenv) == 0 {
			var st statusJSON
			if err := json.Unmarshal([]byte(out.String()), &st); err == nil && st.LastCheckAt != nil {
				if len(st.Open) != 0 || len(st.Suspected) != 0 {
					t.Fatalf("the seeded demo tenant is not healthy: %s", out.String())
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not verify the seeded tenant within 30s; last status: %s", out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The worker's own metrics saw that check.
	resp, err := http.Get("http://" + workerAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`grantwatch_checks_total{result="conclusive"}`, "grantwatch_ironclad_calls_total", "grantwatch_tenants_scheduled_total", "grantwatch_db_pool_max_conns"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	cancel()
	<-workerDone
	<-simDone
}

func pgtestURL(t *testing.T) string {
	t.Helper()
	return newHarness(t).dbURL
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// waitHTTP polls url until it answers (with status want, when non-zero).
func waitHTTP(t *testing.T, rawURL string, want int) {
	t.Helper()
	if _, err := url.Parse(rawURL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(rawURL)
		if err == nil {
			resp.Body.Close()
			if want == 0 || resp.StatusCode == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer (status %d) within 20s (last error %v)", rawURL, want, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
