package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// MaxRetryAfter caps a receiver's Retry-After, so that a broken or hostile
// receiver cannot park a delivery for days.
const MaxRetryAfter = time.Hour

// Limits on reading a receiver's response: enough of the body to explain a
// failure, and enough draining to reuse the connection.
const (
	responseSnippetMax = 200
	responseDrainMax   = 64 << 10
)

// userAgent identifies grantwatch to receivers.
const userAgent = "grantwatch-alert/1"

// poster makes one HTTP POST of an alert and classifies the outcome; the
// webhook and Slack sinks differ only in body and headers.
type poster struct {
	name     string
	url      string // may hold a credential: used for the request only
	shownURL string // what errors and logs may show
	client   *http.Client
	now      func() time.Time
}

// Name returns the sink's name.
func (p *poster) Name() string { return p.name }

// plainHTTP reports whether the sink's URL is unencrypted.
func (p *poster) plainHTTP() bool {
	u, err := url.Parse(p.url)
	return err == nil && u.Scheme == "http"
}

// post sends body with the given headers and turns anything but a 2xx into a
// *DeliveryError: permanent for 3xx and for 4xx other than 408 and 429,
// retryable for everything else (5xx, 408, 429, timeouts, connection
// errors).
func (p *poster) post(ctx context.Context, header http.Header, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		// The URL was validated at start-up, so this is a bug, and its text
		// would quote the URL: keep only the fact.
		return &DeliveryError{Sink: p.name, Permanent: true, Err: errors.New("building request failed")}
	}
	req.Header = header
	req.Header.Set("User-Agent", userAgent)

	resp, err := p.client.Do(req)
	if err != nil {
		return &DeliveryError{Sink: p.name, Err: p.scrub(err)}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, responseSnippetMax))
	// Draining lets the transport reuse the connection; a receiver that
	// sends more than this gets its connection closed instead.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, responseDrainMax))

	status := resp.StatusCode
	if status >= 200 && status < 300 {
		return nil
	}
	de := &DeliveryError{Sink: p.name, Status: status}
	switch {
	case status >= 300 && status < 400:
		// Redirects are not followed (a signed alert goes only where it was
		// configured to), and asking again gets the same answer.
		de.Permanent = true
		de.Err = fmt.Errorf("HTTP %d: receiver redirects; configure the final URL", status)
		return de
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests:
	case status >= 400 && status < 500:
		de.Permanent = true
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		de.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), p.now())
	}
	de.Err = fmt.Errorf("HTTP %d%s", status, describeBody(snippet))
	return de
}

// scrub replaces the URL that net/http quotes in its errors with the
// redacted one; the cause (timeout, refused connection, TLS) stays.
func (p *poster) scrub(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return &url.Error{Op: ue.Op, URL: p.shownURL, Err: ue.Err}
	}
	return err
}

// retryAfter reads a Retry-After value, delay-seconds or an HTTP date, into
// a wait capped at MaxRetryAfter; zero when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(min(secs, int64(MaxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}

// describeBody renders the start of a response body for an error message on
// one line, or nothing when it is empty.
func describeBody(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, strings.ToValidUTF8(string(b), ""))
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return ": " + strconv.Quote(s)
}
