package migrations

import "embed"

// FS holds every migration file (00001_init.sql, …) in version order by name.
//
//go:embed *.sql
var FS embed.FS
