package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/grantwatch/grantwatch/internal/alert"
	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/ironclad"
	"github.com/grantwatch/grantwatch/internal/ironcladsim"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
)

// runBench is `worker bench`: the throughput and memory of one replica,
// measured end to end. It seeds tenants against the simulated Ironclad (with
// a provider latency added to every call), starts the real River client and
// times how long the scheduler and the verify workers take to check every
// tenant once. The simulator runs in the same process, so the figure is a
// conservative one for a replica of its own.
func runBench(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "bench", "bench [--tenants N] [--workers W] [--latency D]")
	tenants := fs.Int("tenants", 2000, "tenants to verify")
	workers := fs.Int("workers", 50, "verify workers at once (the bench does not read GRANTWATCH_VERIFY_WORKERS)")
	latency := fs.Duration("latency", 50*time.Millisecond, "latency the simulated Ironclad adds to every call")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *tenants < 1 || *workers < 1 || *latency < 0 {
		return usagef("bench takes no arguments; --tenants and --workers must be positive and --latency not negative")
	}
	out := e.io.Stdout
	dbURL := e.getenv("DATABASE_URL")
	if dbURL == "" {
		url, cleanup, err := throwawayDatabase(ctx)
		if err != nil {
			return err
		}
		defer cleanup()
		dbURL = url
	}
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		return err
	}
	log, err := newLogger(e.io.Stderr, cfg.LogFormat, "warn")
	if err != nil {
		return err
	}
	pcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return usagef("DATABASE_URL is not a valid PostgreSQL connection string")
	}
	pcfg.MaxConns = int32(*workers + 10)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("opening the database pool: %w", err)
	}
	defer pool.Close()
	if err := postgres.Migrate(ctx, pool, log); err != nil {
		return err
	}
	store := postgres.New(pool, postgres.Options{})

	sim := ironcladsim.New(ironcladsim.Options{})
	if *latency > 0 {
		sim.SetFault("", ironcladsim.Fault{Kind: ironcladsim.FaultLatency, Latency: *latency})
	}
	srv, simURL, err := serveLoopback(sim)
	if err != nil {
		return fmt.Errorf("starting the simulated Ironclad: %w", err)
	}
	defer srv.Close()

	key, err := secret.GenerateKey()
	if err != nil {
		return err
	}
	kr, err := secret.ParseKeyring(key)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "seeding %d tenants (simulated Ironclad adds %s to every call)…\n", *tenants, *latency)
	scopes := scopeNames(health.Scopes)
	suffix := randomSuffix()
	for i := range *tenants {
		ext := fmt.Sprintf("bench-%s-%d", suffix, i)
		clientID, sec, email := newUUID(), "s-"+randomSuffix(), "admin@"+ext+".example"
		if err := errors.Join(
			sim.AddCompany(ext, 1_000_000),
			sim.AddApp(ext, ironcladsim.App{ClientID: clientID, ClientSecret: sec, Scopes: scopes, ClientCredentials: true}),
			sim.AddUser(ext, email),
		); err != nil {
			return err
		}
		sealed, err := kr.Seal(secret.New(sec), jobs.SecretAAD(ext))
		if err != nil {
			return err
		}
		if _, err := store.CreateTenant(ctx, postgres.NewTenant{
			ExternalID: ext, Name: ext, BaseURL: simURL, ClientID: clientID, Secret: sealed,
			ActingUserEmail: email, CheckInterval: time.Hour,
		}); err != nil {
			return err
		}
	}

	checker := ironclad.New(ironclad.Config{HTTPClient: &http.Client{}, AllowBaseURLs: []string{simURL}, CallTimeout: 10 * time.Second})
	verifier := &jobs.Verifier{Store: store, Keyring: kr, Checker: checker, Alerts: alert.Policy{}, Log: log}
	client, err := jobs.NewClient(jobs.Config{
		Pool: pool, Store: store, Verifier: verifier, Sinks: nil,
		VerifyWorkers: *workers, AlertWorkers: 1, ScheduleEvery: time.Second,
		JobTimeout: time.Minute, RescueAfter: 10 * time.Minute, Log: log,
	}, false)
	if err != nil {
		return err
	}

	var peakHeap, peakSys uint64
	var mu sync.Mutex
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		peakHeap, peakSys = max(peakHeap, ms.HeapInuse), max(peakSys, ms.Sys)
		mu.Unlock()
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	start := time.Now()
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting River: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(stopCtx)
	}()
	var done int
	for {
		sample()
		if err := pool.QueryRow(ctx, `SELECT count(DISTINCT tenant_id) FROM checks WHERE conclusive`).Scan(&done); err != nil {
			return fmt.Errorf("counting the tenants checked: %w", err)
		}
		if done >= *tenants {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	elapsed := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	var calls int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(sum(api_calls), 0) FROM checks`).Scan(&calls); err != nil {
		return err
	}
	rate := float64(*tenants) / elapsed.Seconds()
	fmt.Fprintf(out, "verified %d tenants in %s with %d verify workers on %d CPUs\n", *tenants, elapsed.Round(time.Millisecond), *workers, runtime.NumCPU())
	fmt.Fprintf(out, "  throughput      %.0f checks/s (%.0f Ironclad calls/s)\n", rate, float64(calls)/elapsed.Seconds())
	fmt.Fprintf(out, "  per replica     %.0f tenants per 15-minute interval (target: 100000, i.e. 111 checks/s)\n", rate*900)
	fmt.Fprintf(out, "  allocations     %.1f KiB per check\n", float64(after.TotalAlloc-before.TotalAlloc)/float64(*tenants)/1024)
	fmt.Fprintf(out, "  peak heap       %.1f MiB in use, %.1f MiB from the OS (simulator included)\n", float64(peakHeap)/(1<<20), float64(peakSys)/(1<<20))
	return nil
}
