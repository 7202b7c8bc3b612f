package alert

import (
	"context"
	"net/http"

	"github.com/grantwatch/grantwatch/internal/secret"
)

// webhookSink posts WebhookBody, signed with the sink's secret.
type webhookSink struct {
	poster
	secret secret.Secret
}

// Send posts the alert once. The Idempotency-Key header repeats the body's
// key so that receivers can de-duplicate before parsing.
func (s *webhookSink) Send(ctx context.Context, a Alert) error {
	body, err := WebhookBody(a)
	if err != nil {
		return &DeliveryError{Sink: s.name, Permanent: true, Err: err}
	}
	h := make(http.Header)
	h.Set("Content-Type", "application/json")
	h.Set("Idempotency-Key", a.IdempotencyKey())
	h.Set(SignatureHeader, Sign([]byte(s.secret.Reveal()), s.now(), body))
	return s.post(ctx, h, body)
}
