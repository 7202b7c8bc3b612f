package alert

import (
	"fmt"
	"time"
)

// Environment variables that tune delivery.
const (
	EnvTimeout     = "GRANTWATCH_ALERT_TIMEOUT"
	EnvRetryBase   = "GRANTWATCH_ALERT_RETRY_BASE"
	EnvRetryCap    = "GRANTWATCH_ALERT_RETRY_CAP"
	EnvGiveUpAfter = "GRANTWATCH_ALERT_GIVE_UP_AFTER"
)

// Delivery says how hard the worker tries to deliver an alert: each
// attempt is bounded by Timeout; failed attempts are retried after
// RetryBase, doubling up to RetryCap (with jitter); after GiveUpAfter the
// alert is recorded as failed instead.
type Delivery struct {
	Timeout     time.Duration
	RetryBase   time.Duration
	RetryCap    time.Duration
	GiveUpAfter time.Duration
}

// DefaultDelivery returns the settings used for whatever is not configured:
// attempts of DefaultTimeout, retries from 10 seconds doubling up to an
// hour, and giving up after a day.
func DefaultDelivery() Delivery {
	return Delivery{
		Timeout:     DefaultTimeout,
		RetryBase:   10 * time.Second,
		RetryCap:    time.Hour,
		GiveUpAfter: 24 * time.Hour,
	}
}

// WithDefaults returns d with each zero field set from def.
func (d Delivery) WithDefaults() Delivery {
	def := DefaultDelivery()
	if d.Timeout <= 0 {
		d.Timeout = def.Timeout
	}
	if d.RetryBase <= 0 {
		d.RetryBase = def.RetryBase
	}
	if d.RetryCap <= 0 {
		d.RetryCap = def.RetryCap
	}
	if d.GiveUpAfter <= 0 {
		d.GiveUpAfter = def.GiveUpAfter
	}
	return d
}

// loadDelivery reads the delivery settings; unset variables keep the
// defaults. The lower bounds only stop nonsense (a retry storm, an attempt
// that cannot finish): tests use short values on purpose.
func loadDelivery(getenv func(string) string) (Delivery, []error) {
	d := DefaultDelivery()
	var errs []error
	read := func(dst *time.Duration, name string, least time.Duration) {
		v := getenv(name)
		if v == "" {
			return
		}
		parsed, err := time.ParseDuration(v)
		if err != nil || parsed < least {
			errs = append(errs, fmt.Errorf("%s=%.20q: want a duration of at least %s", name, v, least))
			return
		}
		*dst = parsed
	}
	read(&d.Timeout, EnvTimeout, 100*time.Millisecond)
	read(&d.RetryBase, EnvRetryBase, 10*time.Millisecond)
	read(&d.RetryCap, EnvRetryCap, 10*time.Millisecond)
	read(&d.GiveUpAfter, EnvGiveUpAfter, time.Second)
	if d.RetryCap < d.RetryBase {
		errs = append(errs, fmt.Errorf("%s (%s) must not be shorter than %s (%s)", EnvRetryCap, d.RetryCap, EnvRetryBase, d.RetryBase))
	}
	return d, errs
}
