package ironclad

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/grantwatch/grantwatch/internal/health"
)

// Bounds on what evidence keeps of a provider's words. Evidence is stored
// for every check of every tenant and shown in alerts: it must stay small.
const (
	maxMessageRunes   = 200
	maxCodeRunes      = 64
	maxRequestIDRunes = 128
	// maxRetryAfter caps a Retry-After so that a garbled header cannot
	// park a tenant for years; the scheduler backs off on its own beyond it.
	maxRetryAfter = 24 * time.Hour
)

// newEvidence starts the evidence of an exchange from what the transport
// recorded.
func newEvidence(call string, scope health.Scope, rec exchangeRecord, now time.Time) health.Evidence {
	ev := health.Evidence{
		Call:      call,
		Scope:     scope,
		Status:    rec.status,
		RequestID: clean(rec.requestID, maxRequestIDRunes),
		Latency:   rec.latency,
		Outcome:   health.OutcomeInconclusive,
	}
	if rec.status == http.StatusTooManyRequests {
		ev.RetryAfter = parseRetryAfter(rec.retryAfter, now)
	}
	return ev
}

// explain sets an inconclusive exchange's message: our reason, followed by
// the provider's own words when it gave any.
func explain(reason, providerMessage string) string {
	if providerMessage == "" {
		return clean(reason, maxMessageRunes)
	}
	return clean(reason+": "+providerMessage, maxMessageRunes)
}

// failureMessage describes an exchange that produced no usable answer. A
// timeout is named as such; otherwise the innermost transport error is kept
// (the URL that *url.Error adds is noise: the call already names the path).
func failureMessage(callCtx context.Context, timeout time.Duration, err error) string {
	if errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("no complete answer within %s", timeout)
	}
	if uerr, ok := errors.AsType[*url.Error](err); ok {
		err = uerr.Err
	}
	return clean(err.Error(), maxMessageRunes)
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP-date
// (RFC 9110 §10.2.3). It returns zero when the header is absent or
// unreadable, and caps the delay at maxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if strings.Trim(v, "0123456789") == "" {
		// Delay seconds; too many digits for a uint64 is over the cap too.
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil || secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), maxRetryAfter)
	}
	return 0
}

// clean makes a provider-supplied string fit for evidence: valid UTF-8,
// control characters and runs of white space folded into one space, at most
// maxRunes runes (an ellipsis marks a cut).
func clean(s string, maxRunes int) string {
	// Folding never lengthens the text, so a generous byte cut first keeps
	// the work bounded when a provider sends a megabyte of description.
	if limit := 16 * maxRunes; len(s) > limit {
		s = s[:limit]
	}
	s = strings.Join(strings.FieldsFunc(strings.ToValidUTF8(s, string(utf8.RuneError)), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	return strings.TrimRight(truncateRunes(s, maxRunes-1), " ") + "…"
}

// truncateRunes returns the first n runes of s.
func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// redactor removes known sensitive values (the client secret, every access
// token issued during the check) from evidence. Evidence is built from what
// the provider said, and a provider may echo what it was sent; the check
// knows exactly which values must never be stored, so it scrubs them all.
type redactor struct {
	values []string
}

// add registers a sensitive value, also in its form-urlencoded spelling
// (the way a token request carries the secret).
func (r *redactor) add(v string) {
	if v == "" {
		return
	}
	r.values = append(r.values, v)
	if esc := url.QueryEscape(v); esc != v {
		r.values = append(r.values, esc)
	}
}

func (r *redactor) scrub(s string) string {
	for _, v := range r.values {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// scrubEvidence scrubs every provider-derived string of ev.
func (r *redactor) scrubEvidence(ev *health.Evidence) {
	ev.OAuthError = r.scrub(ev.OAuthError)
	ev.APIError = r.scrub(ev.APIError)
	ev.Message = r.scrub(ev.Message)
	ev.RequestID = r.scrub(ev.RequestID)
}
