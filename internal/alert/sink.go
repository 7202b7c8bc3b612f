package alert

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/rs/zerolog"
)

// DefaultTimeout bounds one delivery when NewSinks is given no client. A
// receiver slower than this is treated like one that is down: the delivery
// is retried later.
const DefaultTimeout = 10 * time.Second

// Sink delivers alerts to one destination. Send makes one attempt and keeps
// no state; the caller retries failures that are not permanent (see
// DeliveryError).
type Sink interface {
	// Name is the sink's configured name, unique among the sinks.
	Name() string
	// Send delivers one alert. It returns nil once the destination has
	// accepted it, and otherwise an error that is (or wraps) a
	// *DeliveryError.
	Send(ctx context.Context, a Alert) error
}

// Each sink satisfies Sink.
var (
	_ Sink = (*webhookSink)(nil)
	_ Sink = (*slackSink)(nil)
	_ Sink = (*logSink)(nil)
)

// DeliveryError is a failed delivery. Its message names the sink and what
// went wrong, never a secret or the URL's path.
type DeliveryError struct {
	// Sink is the sink's name.
	Sink string
	// Permanent is set when trying again cannot help (the receiver rejected
	// the request as such, for example a 400 or a 404): the caller should
	// give up and record the failure.
	Permanent bool
	// Status is the HTTP status received; zero when none was.
	Status int
	// RetryAfter is the receiver's Retry-After (on 429 and 503), capped at
	// MaxRetryAfter; zero when it gave none. Callers should wait at least
	// this long before the next attempt.
	RetryAfter time.Duration
	// Err is the underlying cause.
	Err error
}

// Error names the sink and whether the failure is permanent, then the cause.
func (e *DeliveryError) Error() string {
	kind := "retryable"
	if e.Permanent {
		kind = "permanent"
	}
	msg := fmt.Sprintf("alert sink %q: %s failure", e.Sink, kind)
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause, so errors.Is sees timeouts and the like.
func (e *DeliveryError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a delivery failure that retrying cannot
// fix. Errors that are not DeliveryErrors count as retryable.
func IsPermanent(err error) bool {
	de, ok := errors.AsType[*DeliveryError](err)
	return ok && de.Permanent
}

// SinkOption adjusts NewSinks.
type SinkOption func(*sinkOptions)

// sinkOptions holds what SinkOptions may change.
type sinkOptions struct {
	now func() time.Time
}

// WithClock sets the clock that stamps webhook signatures and turns
// Retry-After dates into waits (time.Now by default).
func WithClock(now func() time.Time) SinkOption {
	return func(o *sinkOptions) { o.now = now }
}

// NewSinks builds the configured sinks, or a single log sink named "log"
// when none is configured, so that alerts are never silently dropped.
// client carries the timeout (DefaultTimeout when client is nil); its
// redirect policy is replaced in a copy, because a signed alert must go only
// where it was configured to go.
func NewSinks(cfgs []SinkConfig, client *http.Client, log zerolog.Logger, opts ...SinkOption) ([]Sink, error) {
	o := sinkOptions{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if len(cfgs) == 0 {
		cfgs = []SinkConfig{{Name: "log", Type: SinkLog}}
	}
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	noRedirects := *client
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	// Configurations may be built by hand rather than by LoadConfig, so
	// they are checked again here.
	if err := errors.Join(validateSinks(cfgs)...); err != nil {
		return nil, fmt.Errorf("alert sinks: %w", err)
	}
	sinks := make([]Sink, 0, len(cfgs))
	for _, c := range cfgs {
		post := poster{name: c.Name, url: c.URL, shownURL: c.redactedURL(), client: &noRedirects, now: o.now}
		switch c.Type {
		case SinkWebhook:
			sinks = append(sinks, &webhookSink{poster: post, secret: c.Secret})
		case SinkSlack:
			if post.plainHTTP() {
				log.Warn().Str("sink", c.Name).Str("url", post.shownURL).Msg("slack sink uses plain http; its URL is a credential and travels unencrypted")
			}
			sinks = append(sinks, &slackSink{poster: post})
		case SinkLog:
			sinks = append(sinks, &logSink{name: c.Name, log: log})
		}
		ev := log.Info().Str("sink", c.Name).Str("type", string(c.Type))
		if c.URL != "" {
			ev = ev.Str("url", post.shownURL)
		}
		ev.Msg("alert sink configured")
	}
	return sinks, nil
}
