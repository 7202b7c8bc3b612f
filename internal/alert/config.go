package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/grantwatch/grantwatch/internal/secret"
)

// Environment variables LoadConfig reads.
const (
	EnvAlertOnA      = "GRANTWATCH_ALERT_ON_A"
	EnvRemindEvery   = "GRANTWATCH_ALERT_REMIND_EVERY"
	EnvWebhookURL    = "GRANTWATCH_ALERT_WEBHOOK_URL"
	EnvWebhookSecret = "GRANTWATCH_ALERT_WEBHOOK_SECRET"
	EnvSlackURL      = "GRANTWATCH_ALERT_SLACK_URL"
	EnvSinksFile     = "GRANTWATCH_ALERT_SINKS_FILE"
	EnvPublicURL     = "GRANTWATCH_PUBLIC_URL"
)

// Names of the sinks configured through the environment alone.
const (
	envWebhookSinkName = "webhook"
	envSlackSinkName   = "slack"
)

// MinRemindEvery is the shortest reminder interval accepted: shorter ones
// would page on-call about the same incident faster than anyone can act.
const MinRemindEvery = time.Minute

// SinkType names a kind of sink.
type SinkType string

// The sink types.
const (
	SinkWebhook SinkType = "webhook"
	SinkSlack   SinkType = "slack"
	SinkLog     SinkType = "log"
)

// sinkName is what a sink's name may look like: short, lower case, safe in
// log fields, metrics labels and job args.
var sinkName = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// Config is the alerting configuration: the policy and the sinks.
type Config struct {
	AlertOnA    bool
	RemindEvery time.Duration
	// PublicURL is the operator API's base URL for links in alerts; empty
	// for none.
	PublicURL string
	// Sinks lists the destinations; empty means NewSinks falls back to the
	// log.
	Sinks []SinkConfig
	// Delivery tunes timeouts and retries.
	Delivery Delivery
}

// Policy returns the alert policy the configuration describes.
func (c Config) Policy() Policy {
	return Policy{AlertOnA: c.AlertOnA, RemindEvery: c.RemindEvery, PublicURL: c.PublicURL}
}

// SinkConfig configures one sink.
type SinkConfig struct {
	Name string
	Type SinkType
	// URL is where to post. A Slack URL is itself a credential (its path
	// holds the token), and other services do the same, so URLs are only
	// ever shown redacted to scheme and host.
	URL string
	// Secret signs webhook bodies; required for webhooks, unused otherwise.
	Secret secret.Secret
}

// String describes the sink without its secret or its URL's path.
func (c SinkConfig) String() string {
	if c.URL == "" {
		return fmt.Sprintf("%s sink %q", c.Type, c.Name)
	}
	return fmt.Sprintf("%s sink %q (%s)", c.Type, c.Name, c.redactedURL())
}

// Validate checks one sink's configuration. Its errors name the sink and
// never contain the secret or the URL's path.
func (c SinkConfig) Validate() error {
	if !sinkName.MatchString(c.Name) {
		return fmt.Errorf("sink name %.40q: must be 1 to 40 characters of a-z, 0-9 and -", c.Name)
	}
	switch c.Type {
	case SinkWebhook:
		if c.Secret.IsZero() {
			return fmt.Errorf("webhook sink %q: no signing secret (set secret or secret_env)", c.Name)
		}
	case SinkSlack:
		if !c.Secret.IsZero() {
			return fmt.Errorf("slack sink %q: slack sinks take no secret (the URL is the credential)", c.Name)
		}
	case SinkLog:
		if c.URL != "" || !c.Secret.IsZero() {
			return fmt.Errorf("log sink %q: log sinks take no url or secret", c.Name)
		}
		return nil
	default:
		return fmt.Errorf("sink %q: unknown type %.20q (want webhook, slack or log)", c.Name, c.Type)
	}
	if err := checkURL(c.URL); err != nil {
		return fmt.Errorf("%s sink %q: %w", c.Type, c.Name, err)
	}
	return nil
}

// validateSinks checks every sink and that no two share a name.
func validateSinks(cfgs []SinkConfig) []error {
	var errs []error
	seen := make(map[string]bool, len(cfgs))
	for _, c := range cfgs {
		if err := c.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[c.Name] {
			errs = append(errs, fmt.Errorf("sink name %q is used twice", c.Name))
		}
		seen[c.Name] = true
	}
	return errs
}

// checkURL accepts absolute http and https URLs with a host. Its errors do
// not repeat the URL, which may hold a credential.
func checkURL(raw string) error {
	if raw == "" {
		return errors.New("no url")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's errors quote the whole URL, so only the fact is kept.
		return errors.New("url does not parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("url scheme %.10q: want http or https", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("url has no host")
	}
	return nil
}

// redactedURL is the sink's URL as it may be shown: its scheme and host,
// which with the sink's name is enough to find the receiver. Everything else
// is masked: Slack puts its token in the path, other webhook services do the
// same or use the query, and user info is a password by definition.
func (c SinkConfig) redactedURL() string {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return "[invalid url]"
	}
	shown := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" {
		shown += "/[redacted]"
	}
	if u.RawQuery != "" {
		shown += "?[redacted]"
	}
	return shown
}

// sinksFile is the JSON file named by GRANTWATCH_ALERT_SINKS_FILE.
type sinksFile struct {
	Sinks []sinkEntry `json:"sinks"`
}

// sinkEntry is one sink of the file. The secret may be inline or, better,
// named by the environment variable that holds it.
type sinkEntry struct {
	Name      string   `json:"name"`
	Type      SinkType `json:"type"`
	URL       string   `json:"url"`
	Secret    string   `json:"secret"`
	SecretEnv string   `json:"secret_env"`
}

// LoadConfig reads the alerting configuration from the environment and the
// optional sinks file. getenv and readFile are os.Getenv and os.ReadFile in
// production. It reports every problem it finds at once, each naming the
// variable or sink at fault and none containing a secret.
//
// The environment configures at most one webhook (named "webhook", from
// GRANTWATCH_ALERT_WEBHOOK_URL and GRANTWATCH_ALERT_WEBHOOK_SECRET) and one
// Slack sink (named "slack", from GRANTWATCH_ALERT_SLACK_URL); the file adds
// any number more. Sink names must be unique across both.
func LoadConfig(getenv func(string) string, readFile func(string) ([]byte, error)) (Config, error) {
	var cfg Config
	var errs []error

	if v := getenv(EnvAlertOnA); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%.20q: want true or false", EnvAlertOnA, v))
		}
		cfg.AlertOnA = b
	}
	if v := getenv(EnvRemindEvery); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s=%.20q: want a duration such as 4h", EnvRemindEvery, v))
		case d != 0 && d < MinRemindEvery:
			errs = append(errs, fmt.Errorf("%s=%s: want 0 (off) or at least %s", EnvRemindEvery, v, MinRemindEvery))
		default:
			cfg.RemindEvery = d
		}
	}
	delivery, deliveryErrs := loadDelivery(getenv)
	cfg.Delivery = delivery
	errs = append(errs, deliveryErrs...)
	if v := getenv(EnvPublicURL); v != "" {
		if err := checkURL(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvPublicURL, err))
		}
		cfg.PublicURL = v
	}

	if u, s := getenv(EnvWebhookURL), getenv(EnvWebhookSecret); u != "" || s != "" {
		if u == "" {
			errs = append(errs, fmt.Errorf("%s is set but %s is not", EnvWebhookSecret, EnvWebhookURL))
		} else {
			cfg.Sinks = append(cfg.Sinks, SinkConfig{Name: envWebhookSinkName, Type: SinkWebhook, URL: u, Secret: secret.New(s)})
		}
	}
	if u := getenv(EnvSlackURL); u != "" {
		cfg.Sinks = append(cfg.Sinks, SinkConfig{Name: envSlackSinkName, Type: SinkSlack, URL: u})
	}
	if path := getenv(EnvSinksFile); path != "" {
		sinks, err := loadSinksFile(path, getenv, readFile)
		if err != nil {
			errs = append(errs, err)
		}
		cfg.Sinks = append(cfg.Sinks, sinks...)
	}

	errs = append(errs, validateSinks(cfg.Sinks)...)
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("alert configuration: %w", err)
	}
	return cfg, nil
}

// loadSinksFile reads the sinks file and resolves secret_env references. It
// leaves validation to the caller, which checks env and file sinks alike.
func loadSinksFile(path string, getenv func(string) string, readFile func(string) ([]byte, error)) ([]SinkConfig, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvSinksFile, err)
	}
	var f sinksFile
	dec := json.NewDecoder(bytes.NewReader(data))
	// A misspelt key ("secert") would otherwise leave a sink silently
	// unsigned or unconfigured.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s %s: %w", EnvSinksFile, path, scrubJSONError(err))
	}
	var errs []error
	sinks := make([]SinkConfig, 0, len(f.Sinks))
	for i, e := range f.Sinks {
		sc := SinkConfig{Name: e.Name, Type: e.Type, URL: e.URL, Secret: secret.New(e.Secret)}
		if e.SecretEnv != "" {
			if e.Secret != "" {
				errs = append(errs, fmt.Errorf("%s: sink %d (%q): set secret or secret_env, not both", EnvSinksFile, i, e.Name))
				continue
			}
			v := getenv(e.SecretEnv)
			if v == "" {
				errs = append(errs, fmt.Errorf("%s: sink %d (%q): secret_env %.60s is empty or unset", EnvSinksFile, i, e.Name, e.SecretEnv))
				continue
			}
			sc.Secret = secret.New(v)
		}
		sinks = append(sinks, sc)
	}
	return sinks, errors.Join(errs...)
}

// scrubJSONError keeps a decoding error's position but drops the character a
// syntax error quotes, which may be the first character of a secret.
func scrubJSONError(err error) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	}
	return err
}
