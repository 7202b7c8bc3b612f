package ironclad

import (
	"net"
	"net/http"
	"time"

	"github.com/grantwatch/grantwatch/internal/secret"
)

// Defaults of Config.
const (
	DefaultCallTimeout  = 10 * time.Second
	DefaultMaxBodyBytes = 1 << 20
)

// Connection is what a check needs to know about one tenant's Ironclad
// application.
type Connection struct {
	// ClientID is the application's OAuth client id (a UUID at Ironclad).
	ClientID string
	// ClientSecret is the application's OAuth client secret.
	ClientSecret secret.Secret
	// Region is "na1", "eu1" or "demo"; empty when BaseURL is set.
	Region string
	// BaseURL replaces the region's URL (the simulator, tests). It is used
	// only when Config.AllowBaseURLs allows it.
	BaseURL string
	// ActingUserEmail is the Ironclad user the probes act as
	// (x-as-user-email): client-credentials tokens act on a user's behalf.
	ActingUserEmail string
	// Generation is the tenant's credential generation, copied into the
	// observation so that a check that raced a credential change can be
	// recognised and dropped.
	Generation int64
}

// Config configures a Client. The zero value is usable.
type Config struct {
	// HTTPClient sends the requests. Its transport is wrapped (to bound
	// bodies and record each exchange), its cookie jar is dropped (cookies
	// must never travel between tenants) and redirects are never followed
	// (a redirect could lead outside the allowed base URLs). A nil client
	// or a nil Transport means a transport with dial, TLS and idle
	// timeouts suited to many small calls.
	HTTPClient *http.Client
	// AllowBaseURLs lists the base URLs, other than Ironclad's regions,
	// that connections may use (GRANTWATCH_ALLOW_BASE_URLS, see
	// ParseAllowList). A connection's BaseURL must lie under one of them.
	AllowBaseURLs []string
	// CallTimeout bounds each HTTP call, body included. Default 10s.
	CallTimeout time.Duration
	// MaxBodyBytes bounds each response body; a longer body makes the
	// exchange inconclusive. Default 1 MiB.
	MaxBodyBytes int64
	// Now is the wall clock, used for ObservedAt and HTTP-date Retry-After
	// values. Default time.Now.
	Now func() time.Time
}

// Client checks tenants' Ironclad connections. It is safe for concurrent use.
type Client struct {
	http        *http.Client
	allow       []string
	callTimeout time.Duration
	maxBody     int64
	now         func() time.Time
}

// New returns a Client for cfg, filling in defaults.
func New(cfg Config) *Client {
	c := &Client{
		allow:       append([]string(nil), cfg.AllowBaseURLs...),
		callTimeout: cfg.CallTimeout,
		maxBody:     cfg.MaxBodyBytes,
		now:         cfg.Now,
	}
	if c.callTimeout <= 0 {
		c.callTimeout = DefaultCallTimeout
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	if c.now == nil {
		c.now = time.Now
	}
	var base http.RoundTripper = defaultTransport()
	var timeout time.Duration
	if cfg.HTTPClient != nil {
		timeout = cfg.HTTPClient.Timeout
		if cfg.HTTPClient.Transport != nil {
			base = cfg.HTTPClient.Transport
		}
	}
	c.http = &http.Client{
		Transport: &recordingTransport{base: base, maxBody: c.maxBody},
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return c
}

// CloseIdleConnections closes the client's idle connections, for a clean
// shutdown.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// defaultTransport suits many short calls to a few hosts: connections are
// kept for reuse (a check makes several calls to one host, and many checks
// run at once), and every phase before the response has its own bound in
// addition to the per-call timeout.
func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
	}
}
