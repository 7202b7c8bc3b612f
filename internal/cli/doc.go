// Package cli is the worker's command line: it parses flags and environment
// into configuration, wires the adapters together and runs one command.
// cmd/worker only calls Main, so end-to-end tests run exactly what the binary
// runs, in-process.
package cli
