package ironclad

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestBoundedBody(t *testing.T) {
	t.Parallel()
	const limit = 64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("X-Request-Id", "req-1")
		_, _ = io.WriteString(w, strings.Repeat("x", n))
	}))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &recordingTransport{base: http.DefaultTransport, maxBody: limit}}
	t.Cleanup(client.CloseIdleConnections)

	tests := []struct {
		name      string
		size      int
		readLimit int64 // a reader that stops by itself, as x/oauth2's does; 0 = none
		wantErr   error
	}{
		{name: "empty", size: 0},
		{name: "under the limit", size: limit - 1},
		{name: "at the limit", size: limit},
		{name: "one byte over", size: limit + 1, wantErr: errBodyTooLarge},
		{name: "far over", size: 100 * limit, wantErr: errBodyTooLarge},
		{name: "over, read by a reader stopping at the limit", size: limit + 1, readLimit: limit, wantErr: errBodyTooLarge},
		{name: "at the limit, read by a reader stopping there", size: limit, readLimit: limit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ex := new(exchange)
			req, err := http.NewRequestWithContext(withExchange(context.Background(), ex), http.MethodGet, srv.URL+"?n="+strconv.Itoa(tt.size), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var r io.Reader = resp.Body
			if tt.readLimit > 0 {
				r = io.LimitReader(resp.Body, tt.readLimit)
			}
			body, err := io.ReadAll(r)
			_ = resp.Body.Close()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("reading the body: error %v, want %v", err, tt.wantErr)
			}
			rec := ex.snapshot()
			if rec.oversized != (tt.wantErr != nil) || !rec.sent || rec.status != 200 || rec.requestID != "req-1" || rec.latency <= 0 {
				t.Errorf("record %+v: want sent, 200, req-1, a latency, oversized %v", rec, tt.wantErr != nil)
			}
			if tt.wantErr == nil && len(body) != tt.size || len(body) > limit {
				t.Errorf("read %d bytes of %d (limit %d)", len(body), tt.size, limit)
			}
		})
	}
}
