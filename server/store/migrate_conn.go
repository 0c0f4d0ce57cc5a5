package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// withMigrator runs fn on a PostgreSQL pool of its own over the same
// database, whose transactions each begin with untimedTransaction, and
// closes the pool after it. Both goose and River run each migration in a
// transaction; their few reads of the version outside one keep the role's
// timeouts, which a quick read never meets.
func (c *Conn) withMigrator(ctx context.Context, fn func(ctx context.Context, migrator *Conn) error) error {
	config, err := pgx.ParseConfig(c.dsn)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	pool := sql.OpenDB(untimedConnector{stdlib.GetConnector(*config)})
	defer pool.Close()
	pool.SetMaxOpenConns(2) // goose keeps one connection; River's migrator one more
	return fn(ctx, &Conn{DB: sqlx.NewDb(pool, string(c.Dialect)), Dialect: c.Dialect, dsn: c.dsn})
}

// untimedConnector opens the migrations' connections (see withMigrator).
type untimedConnector struct{ driver.Connector }

func (u untimedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := u.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pgConn, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("migrations: unexpected PostgreSQL connection %T", conn)
	}
	return untimedConn{pgConn}, nil
}

// untimedConn is pgx's connection, all of whose methods it keeps, with
// untimedTransaction run first in each transaction.
type untimedConn struct{ *stdlib.Conn }

func (u untimedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := u.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if _, err := u.Conn.ExecContext(ctx, untimedTransaction, nil); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}
