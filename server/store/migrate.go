package store

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/stockbell/stockbell/migrations"
)

// maxMigrationRuns bounds the runs of a SQLite migration that clashes with
// another process migrating the same file at the same time.
const maxMigrationRuns = 64

// Migrate applies the pending schema migrations. Each migration runs in its
// own transaction: a failing one leaves the database as it was before it.
func (c *Conn) Migrate(ctx context.Context) error {
	provider, err := c.migrations()
	if err != nil {
		return err
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// SchemaVersion returns the newest applied migration.
func (c *Conn) SchemaVersion(ctx context.Context) (int64, error) {
	provider, err := c.migrations()
	if err != nil {
		return 0, err
	}
	return provider.GetDBVersion(ctx)
}

// ShippedSchemaVersion returns the newest migration this build ships for
// the database's dialect. A database whose SchemaVersion is above it was
// migrated by a newer build, whose migrations this one does not undo.
func (c *Conn) ShippedSchemaVersion() (int64, error) {
	provider, err := c.migrations()
	if err != nil {
		return 0, err
	}
	sources := provider.ListSources() // in ascending order of version
	if len(sources) == 0 {
		return 0, nil
	}
	return sources[len(sources)-1].Version, nil
}

// migrations returns the goose provider over the dialect's embedded folder.
func (c *Conn) migrations() (*goose.Provider, error) {
	fsys, err := migrations.FS(string(c.Dialect))
	if err != nil {
		return nil, err
	}
	return c.migrationsFrom(fsys)
}

// migrationsFrom returns the goose provider over a folder of migrations.
func (c *Conn) migrationsFrom(fsys fs.FS) (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	if c.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	// Version numbers are reserved in ranges per line of work, so a lower
	// number may ship after a higher one: apply it rather than refuse.
	provider, err := goose.NewProvider(dialect, c.DB.DB, fsys, goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return provider, nil
}

// Migrated reports whether Stockbell's schema was ever applied to the
// database, without changing anything in it.
func (c *Conn) Migrated(ctx context.Context) (bool, error) {
	query := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`
	if c.Dialect == Postgres {
		query = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'goose_db_version'`
	}
	var n int
	if err := c.DB.GetContext(ctx, &n, query); err != nil || n == 0 {
		return false, err
	}
	version, err := c.SchemaVersion(ctx)
	return version > 0, err
}
