package store

import (
	"io/fs"

	"github.com/pressly/goose/v3"
)

// MigrationsFrom exposes the goose provider constructor Migrate uses, over
// another folder, to tests.
func (c *Conn) MigrationsFrom(fsys fs.FS) (*goose.Provider, error) { return c.migrationsFrom(fsys) }
