// Package migrations holds grantwatch's SQL schema as goose migrations,
// embedded so that the worker binary can migrate a database on its own.
// River's tables are not here: internal/postgres.Migrate applies them with
// River's own migrator after these.
package migrations

import "embed"

// FS holds every migration file (00001_init.sql, …) in version order by name.
//
//go:embed *.sql
var FS embed.FS
