package ironclad

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/grantwatch/grantwatch/internal/health"
)

// ErrInvalidConnection is returned when a connection lacks what a check
// needs (client id, secret, acting user) or holds characters no request can
// carry. Such a connection is a configuration mistake, not evidence.
var ErrInvalidConnection = errors.New("invalid Ironclad connection")

// Check asks Ironclad whether conn's credentials, grant and scopes work, and
// returns what it learned. Every answer of Ironclad, and every failure to get
// one (timeout, reset, 5xx, 429, garbled or oversized body), is evidence in
// the observation; Check returns an error only when no check could be made:
// the connection is invalid or its base URL not allowed (no request is sent),
// or ctx ended (what was learned is discarded, since a partial observation
// would read as missing scopes).
func (c *Client) Check(ctx context.Context, conn Connection) (health.Observation, error) {
	obs, err := c.check(ctx, conn)
	if err != nil {
		return health.Observation{}, fmt.Errorf("checking Ironclad client %q: %w", conn.ClientID, err)
	}
	return obs, nil
}

// check is Check without the client id that Check adds to every error.
func (c *Client) check(ctx context.Context, conn Connection) (health.Observation, error) {
	base, err := ResolveBaseURL(conn.Region, conn.BaseURL, c.allow)
	if err != nil {
		return health.Observation{}, err
	}
	if err := validate(conn); err != nil {
		return health.Observation{}, err
	}
	obs := health.Observation{
		ClientID:   conn.ClientID,
		Generation: conn.Generation,
		ObservedAt: c.now(),
		Scopes:     map[health.Scope]health.ScopeObservation{},
	}
	r := &checkRun{c: c, conn: conn, base: base}
	r.sensitive(conn.ClientSecret.Reveal())

	g := r.acquire(ctx)
	var usable map[health.Scope]health.Outcome
	var probes []health.Evidence
	if len(g.tokens) > 0 && ctx.Err() == nil {
		usable, probes = r.probeAll(ctx, g)
	}
	if err := ctx.Err(); err != nil {
		return health.Observation{}, err
	}

	obs.Credentials, obs.Grant = g.credentials, g.grant
	for s, granted := range g.scopes {
		obs.Scopes[s] = health.ScopeObservation{Granted: granted, Usable: usable[s]}
	}
	obs.Evidence = append(g.evidence, probes...)
	for i := range obs.Evidence {
		r.redact.scrubEvidence(&obs.Evidence[i])
	}
	obs.APICalls = int(r.calls.Load())
	return obs, nil
}

// validate rejects connections no check can be made with.
func validate(conn Connection) error {
	switch {
	case strings.TrimSpace(conn.ClientID) == "":
		return fmt.Errorf("%w: no client id", ErrInvalidConnection)
	case conn.ClientSecret.IsZero():
		return fmt.Errorf("%w: no client secret", ErrInvalidConnection)
	case strings.TrimSpace(conn.ActingUserEmail) == "":
		return fmt.Errorf("%w: no acting user email", ErrInvalidConnection)
	case strings.ContainsFunc(conn.ActingUserEmail, unicode.IsControl):
		// It travels in a header, where a line break would be refused by
		// the transport on every check.
		return fmt.Errorf("%w: the acting user email contains control characters", ErrInvalidConnection)
	}
	return nil
}

// checkRun is the state of one Check.
type checkRun struct {
	c    *Client
	conn Connection
	base string
	// calls counts the HTTP requests sent.
	calls atomic.Int64
	// mu guards redact, which collects the tokens issued during the check.
	mu     sync.Mutex
	redact redactor
}

// sensitive registers a value that must never appear in evidence.
func (r *checkRun) sensitive(v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.redact.add(v)
}

// evidenceFor starts the evidence of an exchange and counts it if a
// request was sent.
func (r *checkRun) evidenceFor(call string, scope health.Scope, rec exchangeRecord) health.Evidence {
	if rec.sent {
		r.calls.Add(1)
	}
	return newEvidence(call, scope, rec, r.c.now())
}

// oversizedMessage explains an exchange whose body was over the limit.
func (r *checkRun) oversizedMessage() string {
	return fmt.Sprintf("response body over %d bytes", r.c.maxBody)
}
