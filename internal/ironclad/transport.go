package ironclad

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// errBodyTooLarge is returned by a response body read past Config.MaxBodyBytes.
var errBodyTooLarge = errors.New("response body over the size limit")

// exchange records what the transport saw of one HTTP request. It travels in
// the request's context because golang.org/x/oauth2 makes the token request
// itself and hands back only a token or an error: the status, headers and
// timing of a failed token request are otherwise lost. Latency is measured
// with the monotonic clock, not Config.Now, so that an injected wall clock
// cannot distort it.
type exchange struct {
	mu         sync.Mutex
	sent       bool
	start      time.Time
	latency    time.Duration
	done       bool
	status     int
	requestID  string
	retryAfter string
	oversized  bool
}

type exchangeKey struct{}

// withExchange returns a context whose requests are recorded in ex.
func withExchange(ctx context.Context, ex *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, ex)
}

func (ex *exchange) begin() {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	ex.sent = true
	ex.start = time.Now()
}

func (ex *exchange) answered(resp *http.Response) {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	ex.status = resp.StatusCode
	ex.requestID = resp.Header.Get("X-Request-Id")
	if ex.requestID == "" {
		ex.requestID = resp.Header.Get("Request-Id")
	}
	ex.retryAfter = resp.Header.Get("Retry-After")
}

// finish stops the latency clock: when the body has been read to its end
// or closed, or when no response came.
func (ex *exchange) finish() {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	if !ex.done && ex.sent {
		ex.done = true
		ex.latency = time.Since(ex.start)
	}
}

func (ex *exchange) markOversized() {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	ex.oversized = true
}

// snapshot returns a copy of the record that is safe to read without the lock.
func (ex *exchange) snapshot() exchangeRecord {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	latency := ex.latency
	if !ex.done && ex.sent {
		latency = time.Since(ex.start)
	}
	return exchangeRecord{
		sent: ex.sent, latency: latency, status: ex.status, requestID: ex.requestID,
		retryAfter: ex.retryAfter, oversized: ex.oversized,
	}
}

// exchangeRecord is an immutable copy of an exchange.
type exchangeRecord struct {
	sent       bool
	latency    time.Duration
	status     int
	requestID  string
	retryAfter string
	oversized  bool
}

// recordingTransport bounds every response body and, for requests whose
// context carries an exchange, records status, request id, Retry-After and
// latency there.
type recordingTransport struct {
	base    http.RoundTripper
	maxBody int64
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ex, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if ex == nil {
		ex = new(exchange) // recorded nowhere, but the body is still bounded
	}
	ex.begin()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		ex.finish()
		return nil, err
	}
	ex.answered(resp)
	resp.Body = &boundedBody{rc: resp.Body, remaining: t.maxBody, ex: ex}
	resp.ContentLength = -1 // the bound may cut the body short
	return resp, nil
}

// boundedBody reads at most remaining bytes and fails with errBodyTooLarge
// as soon as the body proves longer, so that a huge answer costs at most
// the limit plus one byte. It looks for that extra byte as soon as the limit
// is reached, not on the next read: a reader that stops at the limit itself
// (x/oauth2 reads token answers through a 1 MiB LimitReader) must still
// learn that the body was cut.
type boundedBody struct {
	rc        io.ReadCloser
	remaining int64
	over      bool
	ex        *exchange
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.over {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	var n int
	var err error
	if len(p) > 0 {
		n, err = b.rc.Read(p)
		b.remaining -= int64(n)
	}
	if err == nil && b.remaining == 0 {
		var one [1]byte
		if extra, perr := io.ReadFull(b.rc, one[:]); extra > 0 {
			b.over = true
			b.ex.markOversized()
			err = errBodyTooLarge
		} else {
			err = perr // io.EOF when the body ends exactly at the limit
		}
	}
	if err != nil {
		b.ex.finish()
	}
	return n, err
}

func (b *boundedBody) Close() error {
	b.ex.finish()
	return b.rc.Close()
}
