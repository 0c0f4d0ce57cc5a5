// Package migrations holds Stockbell's database schema as goose migrations,
// one embedded folder per SQL dialect. A shipped migration is never edited:
// change the schema with a new numbered file in both folders.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// Dialects with a migration folder.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// FS returns the migrations of one dialect ("sqlite" or "postgres").
func FS(dialect string) (fs.FS, error) {
	return fs.Sub(files, dialect)
}
