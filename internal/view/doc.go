// Package view holds the JSON shapes grantwatch shows people and programs:
// tenants, checks, status and incidents. The CLI's --json output and the
// HTTP API both print these types, so the two can never drift apart; the
// README's "JSON contracts" describe them. Fields may be added, never
// renamed or removed.
//
// Nothing here ever holds a secret: a tenant shows the id of the key that
// sealed its client secret, never the secret or its ciphertext.
package view
