// Package httpapi is the worker's HTTP surface: /livez and /readyz for
// orchestrators, /metrics for Prometheus, and River UI under /riverui/
// behind a bearer token.
package httpapi
