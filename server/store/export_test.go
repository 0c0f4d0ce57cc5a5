package store

import (
	"io/fs"

	"github.com/pressly/goose/v3"
)

// MigrationsFrom exposes the goose provider constructor Migrate uses, over
// another folder, to tests.
func (db *DB) MigrationsFrom(fsys fs.FS) (*goose.Provider, error) { return db.migrationsFrom(fsys) }
