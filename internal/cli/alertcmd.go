package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/alert"
)

// runAlert is `worker alert test [--sink NAME]`: a clearly marked test alert
// through the configured sinks, built, signed and posted exactly as the
// deliver_alert job does, with each sink's outcome printed.
func runAlert(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(e.io.Stdout, "usage: worker alert test [--sink NAME]")
		return nil
	}
	if len(args) == 0 || args[0] != "test" {
		return usagef("usage: worker alert test [--sink NAME]")
	}
	fs := newFlagSet(e, "alert test", "alert test [--sink NAME]")
	only := fs.String("sink", "", "send through this sink only (default: every configured sink)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("alert test takes no positional arguments")
	}
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		return err
	}
	log, err := newLogger(e.io.Stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	_, sinks, err := loadAlerting(e.getenv, log)
	if err != nil {
		return err
	}
	a := alert.TestAlert(time.Now())
	var failed []error
	sent := 0
	for _, s := range sinks {
		if *only != "" && s.Name() != *only {
			continue
		}
		sent++
		if err := s.Send(ctx, a); err != nil {
			fmt.Fprintf(e.io.Stdout, "sink %s: FAILED: %v\n", s.Name(), err)
			failed = append(failed, fmt.Errorf("sink %s: %w", s.Name(), err))
			continue
		}
		fmt.Fprintf(e.io.Stdout, "sink %s: delivered test alert %s\n", s.Name(), a.IdempotencyKey())
	}
	if sent == 0 {
		return usagef("no sink named %q is configured", *only)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d sinks failed: %w", len(failed), sent, errors.Join(failed...))
	}
	return nil
}

// loadAlerting reads the alert configuration and builds its sinks, each
// posting with a client bounded by the delivery timeout. A mistake in
// either is the operator's, so a usage error.
func loadAlerting(getenv func(string) string, log zerolog.Logger) (alert.Config, []alert.Sink, error) {
	cfg, err := alert.LoadConfig(getenv, readFile)
	if err != nil {
		return alert.Config{}, nil, usageError{msg: err.Error()}
	}
	sinks, err := alert.NewSinks(cfg.Sinks, &http.Client{Timeout: cfg.Delivery.Timeout}, log)
	if err != nil {
		return alert.Config{}, nil, usagef("alert sinks: %v", err)
	}
	return cfg, sinks, nil
}
