// Command worker is grantwatch: it re-verifies tenants' Ironclad connections
// on a schedule and keeps the history of what broke and when. `worker help`
// lists its commands; the README documents them and their configuration.
//
// All the work happens in internal/cli, so that tests run exactly what the
// binary runs; main only hands it the arguments, the standard streams, the
// environment and a context that SIGINT or SIGTERM cancels, and exits with
// the status it returns (0 success, 1 failure, 2 bad usage).
package main
