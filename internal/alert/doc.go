// Package alert turns grantwatch's history into alerts and delivers them.
//
// It has two halves. The pure half decides and describes: Policy.Plan reads
// the events one check produced and returns the alerts they warrant (one per
// transition, with an incident's opening and the scope revocations that caused
// it folded into one), Policy.Reminder and TestAlert build the other alerts,
// and WebhookBody, SlackBody, Sign and Verify build and authenticate what goes
// on the wire. None of it does I/O, so every rule is a table or golden test.
//
// The other half delivers: a Sink posts one alert to one destination (a
// signed JSON webhook, a Slack incoming webhook, or the log) and reports
// whether a failure is worth retrying (DeliveryError). Sinks keep no state:
// the caller, a River job written in the same transaction as the event,
// owns retries, so a restart neither repeats nor loses an alert, and receivers
// de-duplicate on the idempotency key.
//
// LoadConfig reads the policy and the sinks from the environment and an
// optional JSON file. Sink secrets are secret.Secret values, and sink URLs,
// which for Slack embed a credential in their path, are shown only as scheme
// and host in every error and log line.
package alert
