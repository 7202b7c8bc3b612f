package ironcladsim

import (
	"net/http"
	"sync"
	"time"
)

// Options configures a Sim. The zero value is ready to use.
type Options struct {
	Now      func() time.Time // default time.Now
	TokenTTL time.Duration    // default 1h; tokens expire after it
	Dialect  Dialect          // default DialectIronclad
}

// Dialect selects how the token endpoint phrases the errors on which Ironclad
// and RFC 6749 disagree, so that the client can be tested against both.
type Dialect string

const (
	// DialectIronclad answers as Ironclad documents: unauthorized_client is
	// 403, and invalid_client carries a Basic challenge when Basic was used.
	DialectIronclad Dialect = "ironclad"
	// DialectRFC answers like a typical RFC-6749-style server:
	// unauthorized_client is 400 and invalid_client is 401 with no
	// WWW-Authenticate header.
	DialectRFC Dialect = "rfc"
)

// valid reports whether d is a known dialect.
func (d Dialect) valid() bool { return d == DialectIronclad || d == DialectRFC }

// Sim is a simulated Ironclad. It is an http.Handler; create it with New.
type Sim struct {
	now      func() time.Time
	tokenTTL time.Duration

	api   *http.ServeMux // Ironclad's endpoints
	admin *http.ServeMux // the /_sim/ controls

	mu    sync.Mutex
	state state // guarded by mu
}

// New returns a Sim with no companies.
func New(opts Options) *Sim {
	s := &Sim{
		now:      opts.Now,
		tokenTTL: opts.TokenTTL,
		state:    newState(opts.Dialect),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = defaultTokenTTL
	}
	s.api = s.apiRoutes()
	s.admin = s.adminRoutes()
	return s
}

// SetDialect switches the token endpoint's dialect. An unknown dialect is
// treated as DialectIronclad.
func (s *Sim) SetDialect(d Dialect) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.dialect = d
}
