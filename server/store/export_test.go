package store

import (
	"io/fs"

	"github.com/pressly/goose/v3"
)

// MigrationsFrom exposes the goose provider constructor Migrate uses, over
// another folder, to tests.
func (c *Conn) MigrationsFrom(fsys fs.FS) (*goose.Provider, error) { return c.migrationsFrom(fsys) }

// StatementCache reports, for the SQLite connection conn wraps, how many
// statements it prepared and how many it keeps.
func StatementCache(conn any) (prepared, cached int) {
	c := conn.(*cachingConn)
	return c.prepared, c.lru.Len()
}
