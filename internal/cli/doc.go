// Package cli is the worker's command line: it parses flags and environment
// into configuration, wires the adapters together and runs one command. It
// also implements the /v1 API's backend (package httpapi) over the store,
// the keyring and the jobs' Verifier, and holds the demo and the bench.
// cmd/worker only calls Main, so end-to-end tests run exactly what the binary
// runs, in-process.
package cli
