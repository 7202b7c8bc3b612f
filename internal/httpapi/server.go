package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"
	"riverqueue.com/riverui"
)

// Config is what the HTTP surface needs.
type Config struct {
	Pool  *pgxpool.Pool
	River *river.Client[pgx.Tx]
	// APIToken guards /riverui/ and /v1/. When empty neither is served at
	// all (404): River UI shows every job and can cancel or retry them, and
	// the API adds tenants and runs checks.
	APIToken string
	// API serves /v1/...: tenants, credentials, checks, status and
	// incidents. When nil /v1 is not served.
	API Backend
	// CheckTimeout bounds one POST /v1/tenants/{id}/check (default 2m,
	// like a verify_tenant job); the answer's write deadline moves with it.
	CheckTimeout time.Duration
	// Now is the API's clock (?since=24h counts back from it); nil means
	// time.Now.
	Now func() time.Time
	// Registry collects the metrics served on /metrics; nil makes a new one
	// with the Go and process collectors.
	Registry *prometheus.Registry
	Log      zerolog.Logger
}

// Server serves the worker's HTTP endpoints.
type Server struct {
	http  *http.Server
	pool  *pgxpool.Pool
	ready atomic.Bool
}

// New builds the server and starts River UI's background services (they
// stop when ctx ends).
func New(ctx context.Context, cfg Config) (*Server, error) {
	s := &Server{pool: cfg.Pool}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	if cfg.APIToken != "" && cfg.River != nil {
		ui, err := riverui.NewHandler(&riverui.HandlerOpts{
			Endpoints:                riverui.NewEndpoints(cfg.River, nil),
			Logger:                   slog.New(zerolog.NewSlogHandler(cfg.Log.With().Str("component", "riverui").Logger())),
			Prefix:                   "/riverui",
			JobListHideArgsByDefault: true,
		})
		if err != nil {
			return nil, fmt.Errorf("building River UI: %w", err)
		}
		if err := ui.Start(ctx); err != nil {
			return nil, fmt.Errorf("starting River UI: %w", err)
		}
		mux.Handle("/riverui/", requireBearer(cfg.APIToken, ui, denyText))
	}
	if cfg.APIToken != "" && cfg.API != nil {
		mux.Handle("/v1/", requireBearer(cfg.APIToken, newAPI(cfg), denyJSON))
	}
	s.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
	}
	return s, nil
}

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.http.Serve(ln) }

// Shutdown stops accepting requests and waits for open ones.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

// Close closes every connection at once, for when Shutdown ran out of time:
// requests still running (a slow "check now") are cut off.
func (s *Server) Close() error { return s.http.Close() }

// SetReady marks whether the worker takes work; /readyz reports it.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// readyz is 200 only while the worker runs and Postgres answers.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !s.ready.Load() {
		http.Error(w, "not ready: starting or stopping", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		http.Error(w, "not ready: database unreachable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}
