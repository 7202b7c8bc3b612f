// Package httpapi is the worker's HTTP surface: /livez and /readyz for
// orchestrators, /metrics for Prometheus, and, behind a bearer token, River
// UI under /riverui/ and the JSON API under /v1/.
//
// The /v1 API lets the product that connects tenants, and operators, do
// over HTTP what the CLI does: add a tenant, rotate its credentials, pause,
// resume or remove it, check it now, and read its status and incident
// history. It speaks the CLI's JSON (package view) and delegates the work to
// a Backend, which the worker implements over its store, keyring and the
// verify job's Verifier. This package owns what is HTTP: routing, strict
// decoding of bounded bodies and query strings, and the one table from
// error kinds to statuses.
//
// Client secrets only ever come in: a request's secret is decoded straight
// into a secret.Secret, decoding errors are reworded so they never quote the
// body, and neither answers nor log lines carry one.
package httpapi
