// Package secret keeps sensitive values out of sight.
//
// Secret wraps a value such as a tenant's OAuth client secret so that every
// way of printing it (fmt, encoding/json, zerolog, slog) shows "[redacted]";
// only Reveal returns the value.
//
// Keyring seals secrets for storage with AES-256-GCM. Each sealed value
// records the id of the key that sealed it, and the keyring holds one primary
// key that seals plus any number of older keys that still unseal. Rotating a
// key is therefore: put a new key first in GRANTWATCH_SECRET_KEYS, keep the
// old one after it, re-seal every stored value, then drop the old key.
//
// Sealing takes additional authenticated data (AAD) that binds a value to its
// owner, such as the tenant's external id: a ciphertext copied onto another
// tenant's row fails to unseal instead of handing over the wrong credential.
package secret
