package jobs

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/postgres"
)

// Metrics are the worker's Prometheus metrics. Labels never carry a tenant:
// per-tenant detail lives in the history, not in time series. A nil *Metrics
// records nothing, so tests and one-off commands need not build one.
type Metrics struct {
	checks          *prometheus.CounterVec
	checkDuration   prometheus.Histogram
	ironcladCalls   prometheus.Counter
	incidents       *prometheus.CounterVec
	alertsEnqueued  prometheus.Counter
	alertDeliveries *prometheus.CounterVec
	scheduled       prometheus.Counter
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grantwatch_checks_total",
			Help: "Tenant checks by result: conclusive, inconclusive, rate_limited, dropped (credentials changed meanwhile) or error.",
		}, []string{"result"}),
		checkDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "grantwatch_check_duration_seconds",
			Help:    "Time to ask Ironclad about one tenant (token and probes).",
			Buckets: prometheus.ExponentialBuckets(0.025, 2, 10),
		}),
		ironcladCalls: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "grantwatch_ironclad_calls_total",
			Help: "HTTP requests made to Ironclad.",
		}),
		incidents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grantwatch_incidents_opened_total",
			Help: "Incidents opened, by code.",
		}, []string{"code"}),
		alertsEnqueued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "grantwatch_alerts_enqueued_total",
			Help: "deliver_alert jobs enqueued (one per alert and sink).",
		}),
		alertDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grantwatch_alert_deliveries_total",
			Help: "Alert delivery attempts by result: delivered, retry or failed.",
		}, []string{"result"}),
		scheduled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "grantwatch_tenants_scheduled_total",
			Help: "verify_tenant jobs enqueued by the scheduler.",
		}),
	}
	reg.MustRegister(m.checks, m.checkDuration, m.ironcladCalls, m.incidents, m.alertsEnqueued, m.alertDeliveries, m.scheduled)
	return m
}

func (m *Metrics) observeCheck(result string, took time.Duration, obs health.Observation) {
	if m == nil {
		return
	}
	m.checks.WithLabelValues(result).Inc()
	m.checkDuration.Observe(took.Seconds())
	m.ironcladCalls.Add(float64(obs.APICalls))
}

func (m *Metrics) observeEvents(events []postgres.StoredEvent, alertJobs int) {
	if m == nil {
		return
	}
	for _, e := range events {
		if e.Kind == health.EventIncidentOpened {
			m.incidents.WithLabelValues(string(e.Code)).Inc()
		}
	}
	m.alertsEnqueued.Add(float64(alertJobs))
}

func (m *Metrics) observeDelivery(result string) {
	if m == nil {
		return
	}
	m.alertDeliveries.WithLabelValues(result).Inc()
}

func (m *Metrics) observeScheduled(n int) {
	if m == nil {
		return
	}
	m.scheduled.Add(float64(n))
}
