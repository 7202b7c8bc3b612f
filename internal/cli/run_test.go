package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/httpapi"
)

// stuckRiver is a River client with a job that ignores its cancellation:
// like River's, its Stop and StopAndCancel wait for that job until their
// own contexts end.
type stuckRiver struct{}

func (stuckRiver) Start(context.Context) error { return nil }

func (stuckRiver) Stop(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func (stuckRiver) StopAndCancel(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestWorkerShutdownIsBoundedWhenAJobHangs: a job that ignores
// cancellation cannot keep `worker run` from exiting. Past the shutdown
// budget and a short grace, run returns an error saying so and leaves the
// job to River's stuck-job rescue.
func TestWorkerShutdownIsBoundedWhenAJobHangs(t *testing.T) {
	t.Parallel()
	const budget = 300 * time.Millisecond
	srv, err := httpapi.New(t.Context(), httpapi.Config{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{
		d:      &deps{cfg: config{HTTPAddr: "127.0.0.1:0", ShutdownTimeout: budget}, log: zerolog.Nop()},
		client: stuckRiver{},
		http:   srv,
	}
	ctx, signal := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- w.run(ctx) }()
	signal()
	sent := time.Now()

	select {
	case err := <-done:
		if took, limit := time.Since(sent), budget+hardStopGrace+time.Second; took > limit {
			t.Errorf("run took %s to return, want at most %s", took.Round(time.Millisecond), limit)
		}
		if err == nil || !strings.Contains(err.Error(), "rescue") {
			t.Errorf("run = %v, want an error saying the job is left to the rescue", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run still stopping 15s after the signal")
	}
}
