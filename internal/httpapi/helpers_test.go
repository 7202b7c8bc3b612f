package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
)

const testToken = "test-token-5f0c9a"

// syncBuffer is a log sink the server's goroutines write while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a Server over a fakeBackend, served by httptest.
type fixture struct {
	t       *testing.T
	srv     *httptest.Server
	backend *fakeBackend
	log     *syncBuffer
}

// newFixture serves cfg, filled in with the test token, a fake backend, the
// test clock and a captured debug log where cfg leaves them unset; pass
// edit to change the filled-in config.
func newFixture(t *testing.T, edit func(*Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, backend: newFakeBackend(), log: &syncBuffer{}}
	cfg := Config{APIToken: testToken, API: f.backend, Now: testNow, Log: zerolog.New(f.log).Level(zerolog.DebugLevel)}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(s.http.Handler)
	t.Cleanup(f.srv.Close)
	return f
}

// response is an answer, read whole.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request with the test token; headers are name, value pairs
// and override it (an empty Authorization sends none).
func (f *fixture) do(method, path, body string, headers ...string) response {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(f.t.Context(), method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// want fails the test unless the answer has the status.
func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

// decode reads the body as JSON into a new T.
func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("decoding %T: %v; body: %s", v, err, r.body)
	}
	return v
}

// apiError reads an error answer, checking that it is the API's JSON.
func (r response) apiError(t *testing.T) errorDetail {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error answer has Content-Type %q, want application/json; body: %s", ct, r.body)
	}
	return decode[errorBody](t, r).Error
}

// fieldNames lists the fields an error names.
func fieldNames(e errorDetail) []string {
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// httptestRecorder runs h on one request with an Authorization header
// (none when empty).
func httptestRecorder(h http.Handler, method, path, authorization string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
