package cli

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// config is the worker's configuration, read from the environment. Flags of
// individual commands override single fields.
type config struct {
	DatabaseURL     string        // DATABASE_URL
	SecretKeys      string        // GRANTWATCH_SECRET_KEYS (id:base64key,…): the first seals, all unseal
	AllowBaseURLs   string        // GRANTWATCH_ALLOW_BASE_URLS: non-region base URLs tenants may use
	HTTPAddr        string        // GRANTWATCH_HTTP_ADDR
	VerifyWorkers   int           // GRANTWATCH_VERIFY_WORKERS: verify_tenant jobs at once per replica
	AlertWorkers    int           // GRANTWATCH_ALERT_WORKERS: deliver_alert jobs at once per replica
	ScheduleEvery   time.Duration // GRANTWATCH_SCHEDULE_EVERY: how often the leader looks for due tenants
	DefaultInterval time.Duration // GRANTWATCH_DEFAULT_INTERVAL: a new tenant's check interval
	ConfirmAfter    int           // GRANTWATCH_CONFIRM_AFTER: consecutive definitive checks that confirm a loss
	ConfirmDelay    time.Duration // GRANTWATCH_CONFIRM_DELAY: how soon a suspected loss is checked again
	CallTimeout     time.Duration // GRANTWATCH_CALL_TIMEOUT: each HTTP call to Ironclad
	JobTimeout      time.Duration // GRANTWATCH_JOB_TIMEOUT: one verify_tenant job
	ShutdownTimeout time.Duration // GRANTWATCH_SHUTDOWN_TIMEOUT: graceful stop on SIGINT/SIGTERM
	RescueAfter     time.Duration // GRANTWATCH_RESCUE_AFTER: a running job older than this is rescued (its replica died)
	CheckRetention  time.Duration // GRANTWATCH_CHECK_RETENTION: checks older than this are pruned (0 keeps all)
	VerifyRetryBase time.Duration // GRANTWATCH_VERIFY_RETRY_BASE: first wait before retrying an inconclusive check
	MaxConns        int           // GRANTWATCH_DB_MAX_CONNS: pool size per replica
	APIToken        string        // GRANTWATCH_API_TOKEN: bearer token for /riverui/ (and the API); unset = not served
	LogFormat       string        // LOG_FORMAT: json (default) or console
	LogLevel        string        // LOG_LEVEL: debug, info (default), warn, error
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		DatabaseURL:   getenv("DATABASE_URL"),
		SecretKeys:    getenv("GRANTWATCH_SECRET_KEYS"),
		AllowBaseURLs: getenv("GRANTWATCH_ALLOW_BASE_URLS"),
		HTTPAddr:      cmp.Or(getenv("GRANTWATCH_HTTP_ADDR"), ":8080"),
		APIToken:      getenv("GRANTWATCH_API_TOKEN"),
		LogFormat:     cmp.Or(getenv("LOG_FORMAT"), "json"),
		LogLevel:      cmp.Or(getenv("LOG_LEVEL"), "info"),
	}
	var problems []string
	intVar := func(dst *int, name string, def, min int) {
		*dst = def
		v := getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < min {
			problems = append(problems, fmt.Sprintf("%s=%q: want an integer ≥ %d", name, v, min))
			return
		}
		*dst = n
	}
	durVar := func(dst *time.Duration, name string, def, min time.Duration) {
		*dst = def
		v := getenv(name)
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < min {
			problems = append(problems, fmt.Sprintf("%s=%q: want a duration ≥ %s (e.g. 90s, 15m)", name, v, min))
			return
		}
		*dst = d
	}
	intVar(&c.VerifyWorkers, "GRANTWATCH_VERIFY_WORKERS", 50, 1)
	intVar(&c.AlertWorkers, "GRANTWATCH_ALERT_WORKERS", 10, 1)
	intVar(&c.ConfirmAfter, "GRANTWATCH_CONFIRM_AFTER", 2, 1)
	intVar(&c.MaxConns, "GRANTWATCH_DB_MAX_CONNS", 0, 0)
	durVar(&c.ScheduleEvery, "GRANTWATCH_SCHEDULE_EVERY", 15*time.Second, time.Second)
	durVar(&c.DefaultInterval, "GRANTWATCH_DEFAULT_INTERVAL", 15*time.Minute, time.Second)
	durVar(&c.ConfirmDelay, "GRANTWATCH_CONFIRM_DELAY", 2*time.Minute, time.Second)
	durVar(&c.CallTimeout, "GRANTWATCH_CALL_TIMEOUT", 10*time.Second, 100*time.Millisecond)
	durVar(&c.JobTimeout, "GRANTWATCH_JOB_TIMEOUT", 2*time.Minute, time.Second)
	durVar(&c.RescueAfter, "GRANTWATCH_RESCUE_AFTER", 10*time.Minute, 2*time.Second)
	durVar(&c.CheckRetention, "GRANTWATCH_CHECK_RETENTION", 30*24*time.Hour, 0)
	durVar(&c.ShutdownTimeout, "GRANTWATCH_SHUTDOWN_TIMEOUT", 30*time.Second, 0)
	durVar(&c.VerifyRetryBase, "GRANTWATCH_VERIFY_RETRY_BASE", 30*time.Second, 100*time.Millisecond)
	switch c.LogFormat {
	case "json", "console":
	default:
		problems = append(problems, fmt.Sprintf("LOG_FORMAT=%q: want json or console", c.LogFormat))
	}
	if c.DefaultInterval > maxInterval {
		problems = append(problems, fmt.Sprintf("GRANTWATCH_DEFAULT_INTERVAL=%s: want at most %s", c.DefaultInterval, maxInterval))
	}
	if c.RescueAfter <= c.JobTimeout {
		problems = append(problems, fmt.Sprintf("GRANTWATCH_RESCUE_AFTER (%s) must be longer than GRANTWATCH_JOB_TIMEOUT (%s)", c.RescueAfter, c.JobTimeout))
	}
	if len(problems) > 0 {
		// Every problem at once, so that one restart can fix them all.
		return config{}, usageError{msg: strings.Join(problems, "; ")}
	}
	if c.MaxConns == 0 {
		// Every verify and alert worker may hold a connection, and River's own
		// services need a few more.
		c.MaxConns = c.VerifyWorkers + c.AlertWorkers + 5
	}
	return c, nil
}

// maxInterval is the longest check interval the store accepts (30 days).
const maxInterval = 720 * time.Hour
