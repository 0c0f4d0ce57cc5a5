// Package store implements Stockbell's domain services on SQL databases
// through sqlx: SQLite (pure Go, the embedded default) and PostgreSQL
// (through lib/pq, for many replicas). SQL is written once with `?`
// placeholders and rebound per dialect; it is split only where the dialects
// truly differ.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers "postgres"
	stockbell "github.com/stockbell/stockbell"
	_ "modernc.org/sqlite" // registers "sqlite"
)

func init() {
	// sqlx knows lib/pq's name; tell it how modernc's driver binds.
	sqlx.BindDriver("sqlite", sqlx.QUESTION)
}

// Dialect names a supported database.
type Dialect string

// Supported dialects; their names match the migrations folders.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// sqlitePragmas make concurrent writers wait instead of failing with
// SQLITE_BUSY, turn on foreign keys, and store times in SQLite's own format.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"

// DB is an open database with the domain services on it.
type DB struct {
	DB      *sqlx.DB
	Dialect Dialect
	// Queue receives the jobs that store methods insert in their transactions.
	// It must be set before any method that inserts jobs is called.
	Queue stockbell.JobQueue
	// Clock stamps created and updated times.
	Clock stockbell.Clock
	// path is the SQLite file, empty on PostgreSQL.
	path string
	// group gathers concurrent hot-path writes into shared transactions.
	group *groupCommit
}

// ParseURL tells which dialect a database URL selects and returns the
// driver's data source name. postgres:// and postgresql:// select
// PostgreSQL; sqlite:PATH, sqlite://PATH, file:PATH or a bare path select a
// SQLite file.
func ParseURL(raw string) (Dialect, string, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return "", "", fmt.Errorf("empty database URL")
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("malformed PostgreSQL URL: %v", redactErr(err))
		}
		if u.Host == "" {
			return "", "", fmt.Errorf("PostgreSQL URL has no host")
		}
		return Postgres, raw, nil
	case strings.Contains(raw, "://") && !strings.HasPrefix(raw, "sqlite://"):
		scheme, _, _ := strings.Cut(raw, "://")
		return "", "", fmt.Errorf("unsupported database scheme %q (use postgres:// or a SQLite file path)", scheme)
	}
	path := raw
	for _, prefix := range []string{"sqlite://", "sqlite:", "file:"} {
		path = strings.TrimPrefix(path, prefix)
	}
	path, _, _ = strings.Cut(path, "?")
	if path == "" {
		return "", "", fmt.Errorf("SQLite URL has no file path")
	}
	return SQLite, "file:" + path + "?" + sqlitePragmas, nil
}

// redactErr drops the URL (and any password in it) from a url.Parse error.
func redactErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// Open connects to the database the URL names and checks that it answers.
// It does not migrate: call Migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	db := &DB{Dialect: dialect, Clock: stockbell.SystemClock{}}
	db.group = newGroupCommit(db)
	if dialect == SQLite {
		db.path = strings.TrimPrefix(dsn[:strings.Index(dsn, "?")], "file:")
		if dir := filepath.Dir(db.path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
	}
	sqlDB, err := sql.Open(string(dialect), dsn)
	if err != nil {
		return nil, err
	}
	db.DB = sqlx.NewDb(sqlDB, string(dialect))
	configurePool(db)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("cannot reach database: %w", err)
	}
	return db, nil
}

// configurePool sizes the connection pool. SQLite allows one writer at a
// time; a handful of connections lets readers proceed beside it while
// busy_timeout and immediate transactions queue the writers.
func configurePool(db *DB) {
	if db.Dialect == SQLite {
		db.DB.SetMaxOpenConns(4)
		db.DB.SetMaxIdleConns(4)
		db.DB.SetConnMaxIdleTime(0)
		return
	}
	db.DB.SetMaxOpenConns(20)
	db.DB.SetMaxIdleConns(10)
	db.DB.SetConnMaxIdleTime(5 * time.Minute)
}

// Close lets the group-commit writer finish its batch, then closes the
// connection pool.
func (db *DB) Close() error {
	db.group.close()
	return db.DB.Close()
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.DB.PingContext(ctx) }

// Path returns the SQLite file path, or "" on PostgreSQL.
func (db *DB) Path() string { return db.path }

func (db *DB) now() time.Time { return db.Clock.Now().UTC() }
