package ironcladsim

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// FaultKind names a misbehaviour the simulator can inject.
type FaultKind string

// The fault kinds.
const (
	FaultLatency       FaultKind = "latency"        // add Fault.Latency before answering normally
	FaultServerError   FaultKind = "server_error"   // answer Fault.Status (default 503) with a plain body
	FaultRateLimit     FaultKind = "rate_limit"     // 429 TOO_MANY_REQUESTS, with Retry-After: Fault.RetryAfter when non-empty
	FaultReset         FaultKind = "reset"          // hijack and close the connection (RST) without answering
	FaultHang          FaultKind = "hang"           // never answer until the request context ends (client timeout)
	FaultMalformedJSON FaultKind = "malformed_json" // the normal status with a truncated/garbled JSON body
	FaultHTML200       FaultKind = "html_200"       // 200 with an HTML error page (Content-Type text/html)
	FaultOversized     FaultKind = "oversized"      // 200 JSON body larger than 2 MiB
)

// valid reports whether k is a known kind.
func (k FaultKind) valid() bool {
	switch k {
	case FaultLatency, FaultServerError, FaultRateLimit, FaultReset, FaultHang,
		FaultMalformedJSON, FaultHTML200, FaultOversized:
		return true
	}
	return false
}

// Fault is a misbehaviour injected before normal handling.
type Fault struct {
	Kind       FaultKind
	Latency    time.Duration // FaultLatency: the added delay
	Status     int           // FaultServerError: the status, default 503
	RetryAfter string        // FaultRateLimit: the Retry-After value, if any
	PathPrefix string        // only requests whose path starts with it ("" = all paths)
}

// SetFault injects a fault into the requests attributed to a company, or into
// every request when companyID is "". A company (or the global set) holds one
// fault per path prefix: setting a fault with the same PathPrefix replaces the
// earlier one. An unknown kind is ignored.
//
// When several faults match a request, the company's are considered before
// the global ones and the longest prefix first. All matching latencies are
// added up and served first; then the first matching non-latency fault
// answers, if any.
func (s *Sim) SetFault(companyID string, f Fault) {
	if !f.Kind.valid() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.state.faults[companyID]
	for i := range fs {
		if fs[i].PathPrefix == f.PathPrefix {
			fs[i] = f
			return
		}
	}
	s.state.faults[companyID] = append(fs, f)
}

// ClearFaults removes a company's faults, or the global ones for "".
func (s *Sim) ClearFaults(companyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.state.faults, companyID)
}

// faultPlan is what the matching faults ask of one request.
type faultPlan struct {
	latency time.Duration
	answer  *Fault // nil: answer normally after the latency
}

// planFaults collects the faults that apply to a request. Call with mu held.
func (st *state) planFaults(companyID, path string) faultPlan {
	var plan faultPlan
	var best int // length of the prefix of plan.answer
	sets := [][]Fault{st.faults[companyID]}
	if companyID != "" {
		sets = append(sets, st.faults[""])
	}
	for _, set := range sets {
		for _, f := range set {
			if !strings.HasPrefix(path, f.PathPrefix) {
				continue
			}
			if f.Kind == FaultLatency {
				plan.latency += f.Latency
				continue
			}
			// Company faults come first, so a global fault only wins
			// with a strictly longer prefix.
			if plan.answer == nil || len(f.PathPrefix) > best {
				plan.answer = &f
				best = len(f.PathPrefix)
			}
		}
	}
	return plan
}

// serveFaulted answers r according to plan. It reports false when the request
// should then be answered normally. next is the normal handler, used by faults
// that distort a normal answer.
func serveFaulted(w http.ResponseWriter, r *http.Request, plan faultPlan, next http.Handler) bool {
	if plan.latency > 0 && !sleepCtx(r, plan.latency) {
		abort()
	}
	if plan.answer == nil {
		return false
	}
	f := plan.answer
	switch f.Kind {
	case FaultServerError:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "%d %s\n", status, http.StatusText(status))
	case FaultRateLimit:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		tooManyRequests(r).write(w)
	case FaultReset:
		resetConnection(w)
	case FaultHang:
		<-r.Context().Done()
		abort()
	case FaultMalformedJSON:
		serveTruncated(w, r, next)
	case FaultHTML200:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>" +
			"<body><h1>Service Unavailable</h1><p>Please try again later.</p></body></html>\n"))
	case FaultOversized:
		serveOversized(w)
	}
	return true
}

// sleepCtx waits for d or until the request's context ends, and reports
// whether the whole delay passed.
func sleepCtx(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// abort ends a request whose context ended while a fault held it: either the
// client gave up, and nobody is listening, or the server is shutting down, and
// the client must see a broken connection rather than an empty 200.
// net/http recovers this panic without logging and closes the connection.
func abort() { panic(http.ErrAbortHandler) }

// resetConnection drops the connection without a response. On TCP, linger 0
// makes the close send RST rather than FIN, as a crashed proxy would. When the
// connection cannot be hijacked (HTTP/2), aborting the handler resets the
// stream instead.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		abort()
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		abort()
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// serveTruncated answers with the normal status and headers but only the first
// half of the normal body: a JSON document cut before its closing brace never
// parses.
func serveTruncated(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := &recorder{header: make(http.Header), status: http.StatusOK}
	next.ServeHTTP(rec, r)
	body := rec.body.Bytes()
	body = body[:len(body)/2]
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.status)
	_, _ = w.Write(body)
}

// serveOversized writes a valid JSON object larger than a careful client
// accepts, in chunks so that the simulator does not hold it all in memory.
func serveOversized(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	_, _ = w.Write([]byte(`{"code":"OK","padding":"`))
	for written := 0; written < oversizedBodyBytes; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	_, _ = w.Write([]byte(`"}`))
}

// recorder is a minimal in-memory ResponseWriter.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.body.Write(p)
}
