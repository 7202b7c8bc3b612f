package localpg

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDiscoverErrors(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(t.Context())
	cancel()

	tests := []struct {
		name        string
		ctx         context.Context
		env         string
		fallback    string
		wantNoSrv   bool
		wantMention string
	}{
		{
			name:        "env set to a server that does not answer",
			ctx:         t.Context(),
			env:         closedPortURL(t),
			fallback:    closedPortURL(t),
			wantMention: EnvURL + " is set",
		},
		{
			name:        "env set to garbage",
			ctx:         t.Context(),
			env:         "postgres://postgres:hunter2@%zz",
			fallback:    closedPortURL(t),
			wantMention: EnvURL + " is set",
		},
		{
			name:        "nothing on the fallback port",
			ctx:         t.Context(),
			fallback:    closedPortURL(t),
			wantNoSrv:   true,
			wantMention: "nothing answers on localhost:5432",
		},
		{
			name:        "caller gave up before the probe",
			ctx:         canceled,
			fallback:    closedPortURL(t),
			wantMention: "context canceled",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, source, err := testDiscoverer(tt.env, tt.fallback).discover(tt.ctx)
			if err == nil {
				t.Fatalf("discover = %q, %q, nil; want an error", url, source)
			}
			if got := errors.Is(err, ErrNoServer); got != tt.wantNoSrv {
				t.Errorf("errors.Is(err, ErrNoServer) = %v, want %v (err: %v)", got, tt.wantNoSrv, err)
			}
			if !strings.Contains(err.Error(), tt.wantMention) {
				t.Errorf("error %q does not mention %q", err, tt.wantMention)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
}
