// Package migrations holds grantwatch's SQL schema as goose migrations,
// embedded so that the worker binary can migrate a database on its own.
// River's tables are not here: internal/postgres.Migrate applies them with
// River's own migrator after these, and internal/pgtest migrates its
// template database from the same files.
package migrations
