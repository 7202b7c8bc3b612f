package alert

import (
	"context"
	"net/http"
)

// slackSink posts SlackBody to a Slack incoming webhook. Slack ignores
// idempotency keys, so a retried delivery can show twice in a channel;
// that is the price of never losing one.
type slackSink struct {
	poster
}

// Send posts the alert once.
func (s *slackSink) Send(ctx context.Context, a Alert) error {
	body, err := SlackBody(a)
	if err != nil {
		return &DeliveryError{Sink: s.name, Permanent: true, Err: err}
	}
	h := make(http.Header)
	h.Set("Content-Type", "application/json")
	return s.post(ctx, h, body)
}
