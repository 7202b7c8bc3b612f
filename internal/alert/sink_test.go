package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/grantwatch/grantwatch/internal/secret"
)

const (
	testSecret = "whsec-0123456789abcdef"
	// slackToken stands for the credential a Slack webhook URL holds.
	slackToken = "XXXXslackTOKENxxxx"
	slackPath  = "/services/T0000/B0000/" + slackToken
)

// received is one request a test receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver starts an HTTP server that records each request and answers it
// with respond.
func receiver(t *testing.T, respond func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, <-chan received) {
	t.Helper()
	got := make(chan received, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{header: r.Header.Clone(), body: body}
		respond(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// status answers every request with code and the given headers.
func status(code int, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}
}

// testClient is a client of its own whose idle connections are closed when
// the test ends, so that no goroutine outlives it.
func testClient(t *testing.T, timeout time.Duration) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}

// oneSink builds a single sink with the fixed clock t0.
func oneSink(t *testing.T, cfg SinkConfig, client *http.Client, log zerolog.Logger) Sink {
	t.Helper()
	sinks, err := NewSinks([]SinkConfig{cfg}, client, log, WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatalf("NewSinks: %v", err)
	}
	return sinks[0]
}

func webhookConfig(url string) SinkConfig {
	return SinkConfig{Name: "hooks", Type: SinkWebhook, URL: url, Secret: secret.New(testSecret)}
}

// sampleAlert is a firing B alert, built through Plan.
func sampleAlert(t *testing.T) Alert {
	t.Helper()
	alerts := goldenAlerts(t)
	return alerts["b_opened"]
}

func TestWebhookSinkDelivers(t *testing.T) {
	t.Parallel()
	srv, got := receiver(t, status(http.StatusAccepted))
	sink := oneSink(t, webhookConfig(srv.URL+"/grantwatch"), testClient(t, 5*time.Second), zerolog.Nop())
	a := sampleAlert(t)

	if err := sink.Send(t.Context(), a); err != nil {
		t.Fatalf("Send: %v", err)
	}
	req := <-got
	want, _ := WebhookBody(a)
	if !bytes.Equal(req.body, want) {
		t.Errorf("body = %s, want WebhookBody's %s", req.body, want)
	}
	for name, want := range map[string]string{
		"Content-Type":    "application/json",
		"Idempotency-Key": "42",
		"User-Agent":      userAgent,
	} {
		if v := req.header.Get(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	sig := req.header.Get(SignatureHeader)
	if err := Verify([]byte(testSecret), sig, req.body, t0.Add(time.Second), 0); err != nil {
		t.Errorf("receiver cannot verify %s %q: %v", SignatureHeader, sig, err)
	}
	if !strings.HasPrefix(sig, "t=1741944413,") {
		t.Errorf("signature %q is not stamped with the sink's clock", sig)
	}
}

func TestSinkStatusRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		respond    func(http.ResponseWriter, *http.Request)
		wantErr    bool
		permanent  bool
		retryAfter time.Duration
	}{
		{"200", status(http.StatusOK), false, false, 0},
		{"204", status(http.StatusNoContent), false, false, 0},
		{"400", status(http.StatusBadRequest), true, true, 0},
		{"401", status(http.StatusUnauthorized), true, true, 0},
		{"404", status(http.StatusNotFound), true, true, 0},
		{"410", status(http.StatusGone), true, true, 0},
		{"408", status(http.StatusRequestTimeout), true, false, 0},
		{"429", status(http.StatusTooManyRequests), true, false, 0},
		{"429 with Retry-After seconds", status(http.StatusTooManyRequests, "Retry-After", "30"), true, false, 30 * time.Second},
		{"429 with a huge Retry-After", status(http.StatusTooManyRequests, "Retry-After", "99999999999"), true, false, MaxRetryAfter},
		{"503 with Retry-After date", status(http.StatusServiceUnavailable, "Retry-After", t0.Add(2*time.Minute).Format(http.TimeFormat)), true, false, 2 * time.Minute},
		{"503 with unreadable Retry-After", status(http.StatusServiceUnavailable, "Retry-After", "later"), true, false, 0},
		{"500 ignores Retry-After", status(http.StatusInternalServerError, "Retry-After", "30"), true, false, 0},
		{"502", status(http.StatusBadGateway), true, false, 0},
		{"redirect is not followed", status(http.StatusFound, "Location", "/elsewhere"), true, true, 0},
	}
	for _, tt := range tests {
		for _, typ := range []SinkType{SinkWebhook, SinkSlack} {
			t.Run(string(typ)+" "+tt.name, func(t *testing.T) {
				t.Parallel()
				srv, got := receiver(t, tt.respond)
				cfg := webhookConfig(srv.URL + slackPath)
				if typ == SinkSlack {
					cfg = SinkConfig{Name: "ops", Type: SinkSlack, URL: srv.URL + slackPath}
				}
				sink := oneSink(t, cfg, testClient(t, 5*time.Second), zerolog.Nop())

				err := sink.Send(t.Context(), sampleAlert(t))
				if (err != nil) != tt.wantErr {
					t.Fatalf("Send = %v, want error %v", err, tt.wantErr)
				}
				if n := len(got); n != 1 {
					t.Errorf("receiver got %d requests, want 1", n)
				}
				if err == nil {
					return
				}
				de, ok := errors.AsType[*DeliveryError](err)
				if !ok {
					t.Fatalf("Send error %v is not a *DeliveryError", err)
				}
				if de.Permanent != tt.permanent || IsPermanent(err) != tt.permanent {
					t.Errorf("permanent = %v, want %v (%v)", de.Permanent, tt.permanent, err)
				}
				if de.RetryAfter != tt.retryAfter {
					t.Errorf("RetryAfter = %s, want %s", de.RetryAfter, tt.retryAfter)
				}
				if de.Sink != cfg.Name || de.Status == 0 {
					t.Errorf("error names sink %q status %d", de.Sink, de.Status)
				}
				if strings.Contains(err.Error(), slackToken) || strings.Contains(err.Error(), testSecret) {
					t.Errorf("error %q leaks a credential", err)
				}
			})
		}
	}
}

func TestSinkTransportFailuresAreRetryable(t *testing.T) {
	t.Parallel()

	t.Run("hanging receiver", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		srv, _ := receiver(t, func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		// Cleanups run last-in first-out: the handler is released before
		// the server waits for it to return.
		t.Cleanup(func() { close(release) })
		sink := oneSink(t, SinkConfig{Name: "ops", Type: SinkSlack, URL: srv.URL + slackPath}, testClient(t, 200*time.Millisecond), zerolog.Nop())

		start := time.Now()
		err := sink.Send(t.Context(), sampleAlert(t))
		checkRetryable(t, err)
		if waited := time.Since(start); waited > 5*time.Second {
			t.Errorf("Send took %s despite a 200ms client timeout", waited)
		}
	})

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		sink := oneSink(t, SinkConfig{Name: "ops", Type: SinkSlack, URL: srv.URL + slackPath}, testClient(t, time.Second), zerolog.Nop())
		checkRetryable(t, sink.Send(t.Context(), sampleAlert(t)))
	})

	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		srv, _ := receiver(t, status(http.StatusOK))
		sink := oneSink(t, webhookConfig(srv.URL+slackPath), testClient(t, time.Second), zerolog.Nop())
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		checkRetryable(t, sink.Send(ctx, sampleAlert(t)))
	})
}

// checkRetryable asserts a retryable DeliveryError that names no credential.
func checkRetryable(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("Send succeeded, want a retryable failure")
	}
	if _, ok := errors.AsType[*DeliveryError](err); !ok || IsPermanent(err) {
		t.Errorf("Send = %v, want a retryable *DeliveryError", err)
	}
	if strings.Contains(err.Error(), slackToken) || strings.Contains(err.Error(), testSecret) {
		t.Errorf("error %q leaks a credential", err)
	}
}

func TestSlackSinkPostsSlackBody(t *testing.T) {
	t.Parallel()
	srv, got := receiver(t, status(http.StatusOK))
	sink := oneSink(t, SinkConfig{Name: "ops", Type: SinkSlack, URL: srv.URL + slackPath}, testClient(t, 5*time.Second), zerolog.Nop())
	a := sampleAlert(t)
	if err := sink.Send(t.Context(), a); err != nil {
		t.Fatalf("Send: %v", err)
	}
	req := <-got
	if ct := req.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(req.body, &msg); err != nil {
		t.Fatalf("Slack body is not JSON: %v", err)
	}
	if !strings.Contains(msg.Text, "ICD-103-B") || !strings.Contains(msg.Text, "Acme Corp") {
		t.Errorf("text %q does not name the code and tenant", msg.Text)
	}
	var types []string
	for _, b := range msg.Blocks {
		types = append(types, b.Type)
	}
	if want := "header section section section context"; strings.Join(types, " ") != want {
		t.Errorf("blocks = %v, want %s", types, want)
	}
	if req.header.Get(SignatureHeader) != "" {
		t.Error("Slack requests carry a signature header; Slack has no use for it")
	}
}

func TestNewSinks(t *testing.T) {
	t.Parallel()

	t.Run("falls back to the log", func(t *testing.T) {
		t.Parallel()
		sinks, err := NewSinks(nil, nil, zerolog.Nop())
		if err != nil || len(sinks) != 1 || sinks[0].Name() != "log" {
			t.Fatalf("NewSinks(nil) = %v, %v; want one sink named log", sinks, err)
		}
	})

	t.Run("rejects bad configuration", func(t *testing.T) {
		t.Parallel()
		_, err := NewSinks([]SinkConfig{
			webhookConfig("https://example.com/a"),
			webhookConfig("https://example.com/b"),
			{Name: "ops", Type: SinkSlack, URL: "ftp://hooks.slack.com" + slackPath},
		}, nil, zerolog.Nop())
		if err == nil {
			t.Fatal("NewSinks accepted a duplicate name and an ftp URL")
		}
		for _, want := range []string{`"hooks" is used twice`, `slack sink "ops"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if strings.Contains(err.Error(), slackToken) {
			t.Errorf("error %q leaks the Slack token", err)
		}
	})

	t.Run("logs sinks without credentials", func(t *testing.T) {
		t.Parallel()
		var logs bytes.Buffer
		_, err := NewSinks([]SinkConfig{
			webhookConfig("https://example.com/grantwatch?token=qtoken"),
			{Name: "ops", Type: SinkSlack, URL: "http://hooks.slack.com" + slackPath},
		}, nil, zerolog.New(&logs))
		if err != nil {
			t.Fatal(err)
		}
		out := logs.String()
		for _, leak := range []string{testSecret, slackToken, "qtoken"} {
			if strings.Contains(out, leak) {
				t.Errorf("logs contain %q:\n%s", leak, out)
			}
		}
		if !strings.Contains(out, "plain http") {
			t.Errorf("no warning about a plain-http Slack URL:\n%s", out)
		}
	})
}
