package httpapi

import (
	"cmp"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// api serves /v1/...: the operators' and the product's JSON API over a
// Backend. Bearer authentication happens before it.
type api struct {
	backend      Backend
	checkTimeout time.Duration
	now          func() time.Time
	log          zerolog.Logger
	mux          *http.ServeMux
}

// defaultCheckTimeout is Config.CheckTimeout's default.
const defaultCheckTimeout = 2 * time.Minute

func newAPI(cfg Config) *api {
	a := &api{
		backend: cfg.API, checkTimeout: cmp.Or(cfg.CheckTimeout, defaultCheckTimeout), now: cfg.Now,
		log: cfg.Log.With().Str("component", "api").Logger(), mux: http.NewServeMux(),
	}
	if a.now == nil {
		a.now = time.Now
	}
	routes := map[string]handlerFunc{
		"POST /v1/tenants":                   a.createTenant,
		"GET /v1/tenants":                    a.listTenants,
		"GET /v1/tenants/{ext}":              a.getTenant,
		"DELETE /v1/tenants/{ext}":           a.removeTenant,
		"POST /v1/tenants/{ext}/pause":       a.setPaused(true),
		"POST /v1/tenants/{ext}/resume":      a.setPaused(false),
		"POST /v1/tenants/{ext}/credentials": a.rotateCredentials,
		"POST /v1/tenants/{ext}/check":       a.check,
		"GET /v1/tenants/{ext}/status":       a.status,
		"GET /v1/tenants/{ext}/incidents":    a.tenantIncidents,
		"GET /v1/incidents":                  a.incidents,
	}
	for pattern, h := range routes {
		a.mux.Handle(pattern, a.handle(h))
	}
	return a
}

// handlerFunc is an endpoint: it answers itself on success and returns the
// error to answer with otherwise.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (a *api) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, a.log, err)
		}
	})
}

// ServeHTTP gives the request an id, routes it and logs it. Paths and
// statuses are logged, never bodies: a body may hold a client secret.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := a.now()
	r = withRequestID(w, r)
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	if _, pattern := a.mux.Handler(r); pattern == "" {
		a.unrouted(sw, r)
	} else {
		a.mux.ServeHTTP(sw, r)
	}
	a.log.Info().Str("request_id", requestID(r)).Str("method", r.Method).Str("path", r.URL.Path).
		Int("status", sw.status).Dur("duration", a.now().Sub(start)).Msg("api request")
}

// unrouted answers a request no endpoint takes, in JSON like every other
// answer: 405 with Allow when the path exists with other methods, else 404.
// The mux's own answer is run into a recorder to learn which it is.
func (a *api) unrouted(w http.ResponseWriter, r *http.Request) {
	h, _ := a.mux.Handler(r)
	rec := &statusWriter{ResponseWriter: discardWriter{header: http.Header{}}, status: http.StatusOK}
	h.ServeHTTP(rec, r)
	if allow := rec.Header().Get("Allow"); rec.status == http.StatusMethodNotAllowed && allow != "" {
		w.Header().Set("Allow", allow)
		writeError(w, r, a.log, Errorf(KindMethodNotAllowed, "%s is not allowed here; allowed: %s",
			r.Method, strings.ReplaceAll(allow, ",", ", ")))
		return
	}
	writeError(w, r, a.log, Errorf(KindNotFound, "no such endpoint"))
}

// statusWriter remembers the status of the answer, for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// discardWriter is a ResponseWriter that keeps headers and drops the body.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header       { return d.header }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}
