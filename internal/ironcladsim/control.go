package ironcladsim

import (
	"fmt"
	"slices"
	"strings"
)

// App describes an Ironclad OAuth application to add with AddApp.
type App struct {
	ClientID          string // a UUID string (Ironclad client ids are UUIDs)
	ClientSecret      string
	Scopes            []string // registered scopes
	ClientCredentials bool     // the client-credentials grant type is enabled
}

// AddCompany adds an active company with no users, applications or data.
// ratePerMinute 0 means the documented per-bucket defaults; a positive value
// replaces every bucket's limit.
func (s *Sim) AddCompany(companyID string, ratePerMinute int) error {
	if err := checkName("company id", companyID); err != nil {
		return err
	}
	if ratePerMinute < 0 {
		return fmt.Errorf("rate per minute %d: %w", ratePerMinute, ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.companies[companyID] != nil {
		return fmt.Errorf("company %s: %w", companyID, ErrExists)
	}
	s.state.companies[companyID] = &company{
		id:            companyID,
		name:          companyID,
		displayName:   companyID,
		active:        true,
		ratePerMinute: ratePerMinute,
	}
	return nil
}

// SetCompanyActive activates or deactivates a company. The tokens of an
// inactive company still authenticate, but /oauth/company-info answers 403.
func (s *Sim) SetCompanyActive(companyID string, active bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.company(companyID)
	if err != nil {
		return err
	}
	c.active = active
	return nil
}

// AddApp registers an OAuth application in a company. The client id must be a
// UUID not used by a live application; a deleted application's id may be
// reused.
func (s *Sim) AddApp(companyID string, a App) error {
	if !isUUID(a.ClientID) {
		return fmt.Errorf("client id %q is not a UUID: %w", a.ClientID, ErrInvalid)
	}
	if a.ClientSecret == "" {
		return fmt.Errorf("client %s: empty client secret: %w", a.ClientID, ErrInvalid)
	}
	scopes, err := cleanScopes(a.Scopes)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.company(companyID); err != nil {
		return err
	}
	if s.state.liveApp(a.ClientID) != nil {
		return fmt.Errorf("client %s: %w", a.ClientID, ErrExists)
	}
	s.state.apps[a.ClientID] = &app{
		companyID:         companyID,
		clientID:          a.ClientID,
		secret:            a.ClientSecret,
		scopes:            scopes,
		clientCredentials: a.ClientCredentials,
	}
	return nil
}

// AddUser adds an active user with access to a company.
func (s *Sim) AddUser(companyID, email string) error {
	if err := checkEmail(email); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.company(companyID)
	if err != nil {
		return err
	}
	if c.userByEmail(email) != nil {
		return fmt.Errorf("user %s of company %s: %w", email, companyID, ErrExists)
	}
	c.users = append(c.users, newUser(email, s.now()))
	return nil
}

// SetUserActive activates or deactivates a user. A deactivated user cannot be
// the acting user of API calls and is not listed by SCIM.
func (s *Sim) SetUserActive(companyID, email string, active bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.company(companyID)
	if err != nil {
		return err
	}
	u := c.userByEmail(email)
	if u == nil {
		return fmt.Errorf("user %s of company %s: %w", email, companyID, ErrNotFound)
	}
	u.active = active
	return nil
}

// GrantScope registers a scope on an application. Tokens issued before keep
// the scopes they were issued with.
func (s *Sim) GrantScope(clientID, scope string) error {
	if err := checkScope(scope); err != nil {
		return err
	}
	return s.withApp(clientID, func(a *app) error {
		if !slices.Contains(a.scopes, scope) {
			a.scopes = append(a.scopes, scope)
		}
		return nil
	})
}

// RevokeScope removes a scope from an application. Like Ironclad (and most
// OAuth servers), this does not reach tokens already issued: they keep the
// scope until they expire.
func (s *Sim) RevokeScope(clientID, scope string) error {
	return s.withApp(clientID, func(a *app) error {
		a.scopes = slices.DeleteFunc(a.scopes, func(x string) bool { return x == scope })
		return nil
	})
}

// RotateSecret gives an application a new random secret; the old one stops
// working at once. Issued tokens stay valid.
func (s *Sim) RotateSecret(clientID string) (newSecret string, err error) {
	secret := randomSecret()
	err = s.withApp(clientID, func(a *app) error {
		a.secret = secret
		return nil
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// DeleteApp deletes an application and revokes every token issued to it.
func (s *Sim) DeleteApp(clientID string) error {
	return s.withApp(clientID, func(a *app) error {
		a.deleted = true
		for _, t := range s.state.tokens {
			if t.clientID == clientID {
				t.revoked = true
			}
		}
		return nil
	})
}

// SetClientCredentialsGrant enables or disables the client credentials grant
// type of an application.
func (s *Sim) SetClientCredentialsGrant(clientID string, enabled bool) error {
	return s.withApp(clientID, func(a *app) error {
		a.clientCredentials = enabled
		return nil
	})
}

// Calls returns how many requests were attributed to the company so far: token
// and API requests, faulted ones included. Calls("") returns the requests that
// could be attributed to no company (unknown client ids and tokens, none
// given). Requests under /_sim/ are never counted.
func (s *Sim) Calls(companyID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.calls[companyID]
}

// ResetCalls sets the company's call counter (or, for "", the unattributed
// counter) back to zero.
func (s *Sim) ResetCalls(companyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.state.calls, companyID)
}

// company returns the company or an ErrNotFound error. Call with mu held.
func (s *Sim) company(companyID string) (*company, error) {
	c := s.state.companies[companyID]
	if c == nil {
		return nil, fmt.Errorf("company %s: %w", companyID, ErrNotFound)
	}
	return c, nil
}

// withApp runs f on the live application with the client id, under the lock.
func (s *Sim) withApp(clientID string, f func(*app) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.state.liveApp(clientID)
	if a == nil {
		return fmt.Errorf("client %s: %w", clientID, ErrNotFound)
	}
	return f(a)
}

// checkName validates an id that appears in /_sim/ paths.
func checkName(what, v string) error {
	if v == "" || strings.ContainsAny(v, "/ \t\r\n") {
		return fmt.Errorf("%s %q: must be non-empty without slashes or spaces: %w", what, v, ErrInvalid)
	}
	return nil
}

// checkEmail applies a deliberately loose test: the simulator only needs
// addresses it can match in x-as-user-email.
func checkEmail(email string) error {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(email, "/ \t\r\n") {
		return fmt.Errorf("email %q: %w", email, ErrInvalid)
	}
	return nil
}

// checkScope rejects strings that cannot be one space-separated scope token.
func checkScope(scope string) error {
	if scope == "" || strings.ContainsAny(scope, " \t\r\n/") {
		return fmt.Errorf("scope %q: %w", scope, ErrInvalid)
	}
	return nil
}

// cleanScopes validates scopes and drops duplicates, keeping the first
// occurrence's order.
func cleanScopes(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, sc := range in {
		if err := checkScope(sc); err != nil {
			return nil, err
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}
