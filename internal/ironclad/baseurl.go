package ironclad

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// AllowBaseURLsVariable is the environment variable operators use to allow
// base URLs other than Ironclad's regions (the simulator, a test server).
// Errors name it so that whoever reads them knows what to change.
const AllowBaseURLsVariable = "GRANTWATCH_ALLOW_BASE_URLS"

var (
	// ErrUnknownRegion is returned when a connection names no region, or one
	// that is not an Ironclad region (na1, eu1, demo).
	ErrUnknownRegion = errors.New("unknown Ironclad region")
	// ErrBaseURLNotAllowed is returned when a connection's base URL is
	// malformed or not allowed by GRANTWATCH_ALLOW_BASE_URLS.
	ErrBaseURLNotAllowed = errors.New("base URL not allowed")
)

// regionURL returns the base URL of an Ironclad region. A switch rather than
// a map keeps the table immutable.
func regionURL(region string) (string, bool) {
	switch region {
	case "na1":
		return "https://na1.ironcladapp.com", true
	case "eu1":
		return "https://eu1.ironcladapp.com", true
	case "demo":
		return "https://demo.ironcladapp.com", true
	}
	return "", false
}

// ResolveBaseURL returns the base URL a connection's requests go to, without
// a trailing slash. A region (na1, eu1, demo) resolves to Ironclad's host for
// it. A base URL is accepted only on its own (without a region) and only when
// it is one of Ironclad's region URLs or lies under an entry of allow
// (GRANTWATCH_ALLOW_BASE_URLS): same scheme, same host and port, and a path
// equal to or below the entry's path. The comparison is made on parsed URLs,
// never on strings, so "http://127.0.0.1:80" does not allow
// "http://127.0.0.1:8080" and "http://h/sim" does not allow "http://h/simx".
// Malformed allow entries never match.
func ResolveBaseURL(region, baseURL string, allow []string) (string, error) {
	if baseURL == "" {
		if u, ok := regionURL(region); ok {
			return u, nil
		}
		if region == "" {
			return "", fmt.Errorf("%w: the connection names neither a region nor a base URL", ErrUnknownRegion)
		}
		return "", fmt.Errorf("%w %q (want na1, eu1 or demo)", ErrUnknownRegion, region)
	}
	if region != "" {
		// Two sources of truth would leave it unclear which one a check
		// used, and an application only works in the region it lives in.
		return "", fmt.Errorf("%w: a connection names a region or a base URL, not both (region %q)", ErrBaseURLNotAllowed, region)
	}
	u, err := parseBaseURL(baseURL)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBaseURLNotAllowed, err)
	}
	for _, r := range []string{"na1", "eu1", "demo"} {
		if ru, _ := regionURL(r); u.String() == ru {
			return ru, nil
		}
	}
	if slices.ContainsFunc(allow, u.under) {
		return u.String(), nil
	}
	return "", fmt.Errorf("%w: %s is not an Ironclad region URL and no entry of %s allows it",
		ErrBaseURLNotAllowed, u, AllowBaseURLsVariable)
}

// ParseAllowList parses the value of GRANTWATCH_ALLOW_BASE_URLS: base URLs
// separated by commas, each an absolute http or https URL without user
// information, query or fragment. Blank entries are skipped. It returns the
// entries in canonical form.
func ParseAllowList(s string) ([]string, error) {
	var out []string
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		u, err := parseBaseURL(entry)
		if err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", AllowBaseURLsVariable, i+1, err)
		}
		out = append(out, u.String())
	}
	return out, nil
}

// baseURL is a parsed, canonical base URL: lower-case scheme and host, no
// default port, no trailing slash.
type baseURL struct {
	scheme, hostPort, path string
}

func (b baseURL) String() string { return b.scheme + "://" + b.hostPort + b.path }

// under reports whether b lies at or below the allow-list entry allowed.
func (b baseURL) under(allowed string) bool {
	a, err := parseBaseURL(allowed)
	if err != nil {
		return false
	}
	return b.scheme == a.scheme && b.hostPort == a.hostPort &&
		(a.path == "" || b.path == a.path || strings.HasPrefix(b.path, a.path+"/"))
}

// parseBaseURL parses and canonicalises a base URL. Its errors never echo
// the input: it may carry a password in its user information.
func parseBaseURL(s string) (baseURL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return baseURL{}, errors.New("not a valid URL")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return baseURL{}, errors.New("must be an absolute http or https URL")
	case u.Opaque != "" || u.Hostname() == "":
		return baseURL{}, errors.New("must name a host")
	case u.User != nil:
		return baseURL{}, errors.New("must not carry user information")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return baseURL{}, errors.New("must not carry a query or fragment")
	case u.RawPath != "":
		// Escapes that do not round-trip (such as %2F) could make the
		// server see a different path from the one the allow list checked.
		return baseURL{}, errors.New("must not escape path characters")
	}
	path := strings.TrimRight(u.Path, "/")
	if slices.ContainsFunc(strings.Split(path, "/"), func(seg string) bool { return seg == "." || seg == ".." }) {
		return baseURL{}, errors.New("must not contain . or .. path segments")
	}
	host := strings.ToLower(u.Hostname())
	hostPort := host
	if strings.Contains(host, ":") {
		hostPort = "[" + host + "]" // an IPv6 literal
	}
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		hostPort = net.JoinHostPort(host, port)
	}
	return baseURL{scheme: scheme, hostPort: hostPort, path: path}, nil
}
