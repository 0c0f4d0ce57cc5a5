package store

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/stockbell/stockbell/migrations"
)

// migrationLockID is the PostgreSQL advisory lock that serialises schema
// migrations, so that replicas starting together wait for one another.
const migrationLockID = 7_263_540_118

// Migrate applies the pending schema migrations. Each migration runs in its
// own transaction: a failing one leaves the database as it was before it.
func (db *DB) Migrate(ctx context.Context) error {
	provider, err := db.migrations()
	if err != nil {
		return err
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// SchemaVersion returns the newest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	provider, err := db.migrations()
	if err != nil {
		return 0, err
	}
	return provider.GetDBVersion(ctx)
}

// migrations returns the goose provider over the dialect's embedded folder.
func (db *DB) migrations() (*goose.Provider, error) {
	fsys, err := migrations.FS(string(db.Dialect))
	if err != nil {
		return nil, err
	}
	return db.migrationsFrom(fsys)
}

// migrationsFrom returns the goose provider over a folder of migrations.
// Version numbers are handed out in ranges to work that lands in any order,
// so a database may already have a higher version than a migration that
// arrives later: such a migration is applied rather than refused.
func (db *DB) migrationsFrom(fsys fs.FS) (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	provider, err := goose.NewProvider(dialect, db.DB.DB, fsys, goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return provider, nil
}

// WithMigrationLock runs fn while holding the migration lock. On PostgreSQL
// it is a session advisory lock held on one dedicated connection; on SQLite
// the file's own write lock already serialises migrations.
func (db *DB) WithMigrationLock(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.Dialect != Postgres {
		return fn(ctx)
	}
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockID)
	return fn(ctx)
}
