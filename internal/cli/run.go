package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/grantwatch/grantwatch/internal/httpapi"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "migrate", "migrate")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("migrate takes no arguments")
	}
	d, err := openDeps(ctx, e, depsOptions{})
	if err != nil {
		return err
	}
	defer d.Close()
	if err := postgres.Migrate(ctx, d.pool, d.log); err != nil {
		return err
	}
	fmt.Fprintln(e.io.Stdout, "migrations applied")
	return nil
}

// runWorker is `worker run`: River (scheduling, verification, alert
// delivery) plus the HTTP listener, until SIGINT/SIGTERM.
func runWorker(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "run", "run [--http-addr ADDR]")
	httpAddr := fs.String("http-addr", "", "listen address for /livez, /readyz, /metrics, /v1/ and /riverui/ (default $GRANTWATCH_HTTP_ADDR or :8080)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("run takes no arguments")
	}
	d, err := openDeps(ctx, e, depsOptions{keyring: true})
	if err != nil {
		return err
	}
	defer d.Close()
	if *httpAddr != "" {
		d.cfg.HTTPAddr = *httpAddr
	}
	w, err := newWorker(ctx, e, d)
	if err != nil {
		return err
	}
	return w.run(ctx)
}

// worker is a running `worker run`: the River client and the HTTP server.
type worker struct {
	d      *deps
	client interface {
		Start(context.Context) error
		Stop(context.Context) error
		StopAndCancel(context.Context) error
	}
	http *httpapi.Server
}

func newWorker(ctx context.Context, e *env, d *deps) (*worker, error) {
	alertCfg, sinks, err := loadAlerting(e.getenv, d.log)
	if err != nil {
		return nil, err
	}
	verifier := &jobs.Verifier{
		Store: d.store, Keyring: d.keyring, Checker: d.ironcladClient(),
		Alerts: alertCfg.Policy(), Log: d.log,
	}
	// One registry per worker (not the global default), so in-process
	// replicas in tests do not collide.
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerPoolMetrics(reg, d.pool)
	metrics := jobs.NewMetrics(reg)
	client, err := jobs.NewClient(jobs.Config{
		Pool: d.pool, Store: d.store, Verifier: verifier, Sinks: sinks,
		VerifyWorkers: d.cfg.VerifyWorkers, AlertWorkers: d.cfg.AlertWorkers,
		ScheduleEvery: d.cfg.ScheduleEvery, JobTimeout: d.cfg.JobTimeout,
		VerifyRetryBase: d.cfg.VerifyRetryBase, RescueAfter: d.cfg.RescueAfter, SoftStopTimeout: d.cfg.ShutdownTimeout * 2 / 3,
		AlertDelivery: alertCfg.Delivery, CheckRetention: d.cfg.CheckRetention,
		Metrics: metrics, Log: d.log,
	}, false)
	if err != nil {
		return nil, err
	}
	srv, err := httpapi.New(ctx, httpapi.Config{
		Pool: d.pool, River: client, APIToken: d.cfg.APIToken, Registry: reg, Log: d.log,
		API: newAPIBackend(d, verifier), CheckTimeout: d.cfg.JobTimeout,
	})
	if err != nil {
		return nil, err
	}
	return &worker{d: d, client: client, http: srv}, nil
}

func (w *worker) run(ctx context.Context) error {
	ln, err := net.Listen("tcp", w.d.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listening on GRANTWATCH_HTTP_ADDR %s: %w", w.d.cfg.HTTPAddr, err)
	}
	httpErr := make(chan error, 1)
	go func() { httpErr <- w.http.Serve(ln) }()
	w.d.log.Info().Str("http_addr", ln.Addr().String()).Msg("worker starting")

	// River runs on its own context so that a signal leads to an orderly
	// Stop (running jobs finish, within the shutdown budget) rather than an
	// abrupt cancellation.
	if err := w.client.Start(context.WithoutCancel(ctx)); err != nil {
		_ = w.http.Shutdown(context.Background())
		return fmt.Errorf("starting River: %w", err)
	}
	w.http.SetReady(true)

	select {
	case <-ctx.Done():
	case err := <-httpErr:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			w.d.log.Error().Err(err).Msg("http server failed; stopping")
		}
	}
	w.d.log.Info().Dur("budget", w.d.cfg.ShutdownTimeout).Msg("shutting down")
	w.http.SetReady(false)
	err = w.stop(w.d.cfg.ShutdownTimeout)
	w.d.log.Info().Msg("worker stopped")
	return err
}

// hardStopGrace is how long cancelled jobs get to return once the shutdown
// budget is spent (with a zero budget, the only time they get).
const hardStopGrace = time.Second

// stop ends River and the HTTP server, each within budget, side by side so
// that neither eats into the other's time. River's SoftStopTimeout (two
// thirds of the budget) cancels jobs still running by then; if River has
// not stopped when the budget ends, its jobs are cancelled (again) and get
// hardStopGrace to return. A job that ignores cancellation even then is left
// running, for River's stuck-job rescue to redo elsewhere, rather than
// keeping the process from exiting.
func (w *worker) stop(budget time.Duration) error {
	stopCtx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	httpStop := make(chan error, 1)
	go func() {
		err := w.http.Shutdown(stopCtx)
		if err != nil {
			// Out of time: cut off what is still running (a slow check now)
			// so that its database connection is released before exit.
			_ = w.http.Close()
		}
		httpStop <- err
	}()

	riverErr := w.client.Stop(stopCtx)
	if riverErr != nil {
		graceCtx, cancelGrace := context.WithTimeout(context.Background(), hardStopGrace)
		defer cancelGrace()
		riverErr = w.client.StopAndCancel(graceCtx)
		if riverErr != nil {
			riverErr = fmt.Errorf("jobs still running %s after the shutdown budget (%s) are left to River's stuck-job rescue: %w",
				hardStopGrace, budget, riverErr)
		}
	}
	return errors.Join(riverErr, <-httpStop)
}

// registerPoolMetrics exposes the database pool's state: a pool that stays
// exhausted means more workers than connections.
func registerPoolMetrics(reg prometheus.Registerer, pool *pgxpool.Pool) {
	gauge := func(name, help string, f func(*pgxpool.Stat) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return f(pool.Stat()) })
	}
	reg.MustRegister(
		gauge("grantwatch_db_pool_acquired_conns", "Connections in use.", func(s *pgxpool.Stat) float64 { return float64(s.AcquiredConns()) }),
		gauge("grantwatch_db_pool_idle_conns", "Idle connections.", func(s *pgxpool.Stat) float64 { return float64(s.IdleConns()) }),
		gauge("grantwatch_db_pool_max_conns", "The pool's size.", func(s *pgxpool.Stat) float64 { return float64(s.MaxConns()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "grantwatch_db_pool_empty_acquire_total", Help: "Acquires that had to wait for a connection."},
			func() float64 { return float64(pool.Stat().EmptyAcquireCount()) }),
	)
}
