package postgres

import (
	"errors"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/grantwatch/grantwatch/internal/secret"
)

// Bounds on a tenant's fields. Short, plain external ids and regions are
// safe in URLs, log lines and the seal's AAD.
var (
	externalIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$`)
	regionPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
)

const (
	minCheckInterval = time.Second
	maxCheckInterval = 30 * 24 * time.Hour
	maxTextLen       = 256
)

// validate reports every problem of a new tenant at once, so that an API
// caller can fix them in one go.
func (nt NewTenant) validate() error {
	var errs []error
	if !externalIDPattern.MatchString(nt.ExternalID) {
		errs = append(errs, invalid("external_id",
			"must be 1-128 letters, digits or . _ : @ -, starting with a letter or digit"))
	}
	if strings.TrimSpace(nt.Name) == "" || len(nt.Name) > maxTextLen || hasControl(nt.Name) {
		errs = append(errs, invalid("name", "must be 1-256 printable characters"))
	}
	switch {
	case (nt.Region == "") == (nt.BaseURL == ""):
		errs = append(errs, invalid("region", "or base_url must be given, not both"))
	case nt.Region != "" && !regionPattern.MatchString(nt.Region):
		errs = append(errs, invalid("region", "must be a lower-case region name such as na1"))
	case nt.BaseURL != "":
		if err := validateBaseURL(nt.BaseURL); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs,
		validateClientID(nt.ClientID, false),
		validateSealed(nt.Secret),
		validateEmail(nt.ActingUserEmail))
	if nt.CheckInterval < minCheckInterval || nt.CheckInterval > maxCheckInterval {
		errs = append(errs, invalid("check_interval", "must be between 1s and 720h"))
	}
	return errors.Join(errs...)
}

// validateBaseURL accepts an absolute http(s) URL with a host and nothing
// that could smuggle credentials or change meaning (user info, query,
// fragment).
func validateBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || len(raw) > maxTextLen {
		return invalid("base_url", "must be an absolute http(s) URL with a host and no user, query or fragment")
	}
	return nil
}

// validateClientID checks an OAuth client id; empty is allowed only where
// it means "keep the current one".
func validateClientID(id string, emptyOK bool) error {
	if id == "" && emptyOK {
		return nil
	}
	if id == "" || len(id) > maxTextLen || strings.ContainsFunc(id, unicode.IsSpace) || hasControl(id) {
		return invalid("client_id", "must be 1-256 characters without spaces")
	}
	return nil
}

func validateSealed(v secret.Sealed) error {
	if v.KeyID == "" || len(v.Ciphertext) == 0 {
		return invalid("secret", "must be sealed (a key id and a ciphertext)")
	}
	return nil
}

// validateEmail wants a bare address: "a@b.example", not "A <a@b.example>".
func validateEmail(email string) error {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > maxTextLen {
		return invalid("acting_user_email", "must be a bare email address")
	}
	return nil
}

func hasControl(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }
