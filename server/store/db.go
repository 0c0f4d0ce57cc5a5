// Package store implements Stockbell's domain services on SQL databases
// through sqlx: SQLite (pure Go, the embedded default) and PostgreSQL
// (through pgx's database/sql driver, for many replicas). SQL is written
// once with `?` placeholders and rebound per dialect; it is split only where
// the dialects truly differ.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/jmoiron/sqlx"
	stockbell "github.com/stockbell/stockbell"
	_ "modernc.org/sqlite" // registers "sqlite"
)

func init() {
	// sqlx binds by the name given to sqlx.NewDb: "postgres" (the dialect)
	// takes $1, $2…; tell it how modernc's driver binds.
	sqlx.BindDriver("sqlite", sqlx.QUESTION)
}

// Dialect names a supported database.
type Dialect string

// Supported dialects; their names match the migrations folders.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Conn is an open, reachable database: what migrations and the job queue
// need before the services exist.
type Conn struct {
	DB      *sqlx.DB
	Dialect Dialect
	// path is the SQLite file, empty on PostgreSQL.
	path string
	// dsn is the driver's data source name, which opens connections
	// outside the pool (Ping, the migrations' pool).
	dsn string
}

// DB is the domain services on an open database. Build it with New once
// the job queue exists, so that it is complete when returned.
type DB struct {
	*Conn
	// Queue receives the jobs that store methods insert in their
	// transactions.
	Queue stockbell.JobQueue
	// Clock stamps created and updated times.
	Clock stockbell.Clock
	// group gathers concurrent hot-path writes into shared transactions.
	group *groupCommit
	// receiptsStored wakes the receipts' drainer (ReceiptsStored).
	receiptsStored chan struct{}
	// shops caches shops found by key or domain (see ShopCacheTTL).
	shops *shopCache
}

// New returns the services on conn, inserting their jobs through queue and
// stamping times with the system clock.
func New(conn *Conn, queue stockbell.JobQueue) *DB {
	db := &DB{Conn: conn, Queue: queue, Clock: stockbell.SystemClock{}, receiptsStored: make(chan struct{}, 1),
		shops: newShopCache()}
	db.group = newGroupCommit(db, groupWriters)
	return db
}

// Close lets the group-commit writer finish its batch, then closes the
// connection pool.
func (db *DB) Close() error {
	db.group.close()
	return db.Conn.Close()
}

// ParseURL tells which dialect a database URL selects and returns the
// driver's data source name. postgres:// and postgresql:// select
// PostgreSQL; sqlite:PATH, sqlite://PATH, file:PATH or a bare path select a
// SQLite file, whose query may tune the settings sqliteSettings lists (a
// query option it does not is an error naming it).
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
		return Postgres, nameTheApplication(requireTLSByDefault(raw, u), u), nil
	case keywordValue.MatchString(raw):
		// Never echoed: it may hold a password.
		return "", "", fmt.Errorf("a PostgreSQL keyword/value connection string (host=… dbname=…) is not supported: " +
			"write it as a URL, postgres://user:password@host:5432/dbname?sslmode=…")
	case strings.Contains(raw, "://") && !strings.HasPrefix(raw, "sqlite://"):
		scheme, _, _ := strings.Cut(raw, "://")
		return "", "", fmt.Errorf("unsupported database scheme %q (use postgres:// or a SQLite file path)", scheme)
	}
	path := raw
	for _, prefix := range []string{"sqlite://", "sqlite:", "file:"} {
		path = strings.TrimPrefix(path, prefix)
	}
	path, query, _ := strings.Cut(path, "?")
	if path == "" {
		return "", "", fmt.Errorf("SQLite URL has no file path")
	}
	dsn, err := sqliteDSN(path, query)
	if err != nil {
		return "", "", err
	}
	return SQLite, dsn, nil
}

// keywordValue matches the start of libpq's keyword/value connection
// string (host=db user=app …), which would otherwise be read as the name of
// a SQLite file.
var keywordValue = regexp.MustCompile(`^(host|hostaddr|port|dbname|user|password|passfile|sslmode|service|connect_timeout|application_name|options)\s*=`)

// postgresDriverName is pgx's database/sql driver. It keeps each
// connection's statements prepared (pgx's default exec mode caches them), so
// a statement run again is one round trip (bind and execute) where lib/pq
// parses it again first.
const postgresDriverName = "pgx"

// requireTLSByDefault adds sslmode=require to a PostgreSQL URL that names
// no sslmode (and none is set by PGSSLMODE): TLS without certificate
// verification, lib/pq's default, which URLs written for it rely on. pgx's
// own default ("prefer") would fall back to plaintext when TLS fails.
func requireTLSByDefault(raw string, u *url.URL) string {
	return withDefault(raw, u, "sslmode", "PGSSLMODE", "require")
}

// ApplicationName is the application_name of the server's PostgreSQL
// connections when the operator gives none, so that pg_stat_activity and
// the migration lock's holder name them.
const ApplicationName = "stockbell"

// nameTheApplication adds application_name=stockbell to a PostgreSQL URL
// (raw, parsed as u) that names none (and PGAPPNAME none either).
func nameTheApplication(raw string, u *url.URL) string {
	return withDefault(raw, u, "application_name", "PGAPPNAME", ApplicationName)
}

// withDefault adds key=value to the query of raw, a PostgreSQL URL
// parsed as u, unless its query or the environment variable env (libpq's
// and pgx's for the setting) already sets it.
func withDefault(raw string, u *url.URL, key, env, value string) string {
	if u.Query().Has(key) || os.Getenv(env) != "" {
		return raw
	}
	switch {
	case strings.HasSuffix(raw, "?"):
		return raw + key + "=" + value
	case strings.Contains(raw, "?"):
		return raw + "&" + key + "=" + value
	}
	return raw + "?" + key + "=" + value
}

// driverName is the database/sql driver a dialect opens with.
func driverName(dialect Dialect) string {
	if dialect == SQLite {
		return sqliteDriverName
	}
	return postgresDriverName
}

// redactErr drops the URL (and any password in it) from a url.Parse error.
func redactErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// Connect opens the database the URL names and checks that it answers. It
// creates a SQLite file (and its directory) that does not exist yet; it
// does not migrate: call Migrate.
func Connect(ctx context.Context, rawURL string) (*Conn, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	c := &Conn{Dialect: dialect, dsn: dsn}
	if dialect == SQLite {
		c.path = sqlitePath(dsn)
		if err := createSQLiteFile(c.path); err != nil {
			return nil, err
		}
	}
	sqlDB, err := sql.Open(driverName(dialect), dsn)
	if err != nil {
		return nil, err
	}
	c.DB = sqlx.NewDb(sqlDB, string(dialect))
	configurePool(c)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, unreachable(dsn, err)
	}
	return c, nil
}

// unreachable is the error of a database that did not answer. A
// PostgreSQL server that has no database of the URL's name says how to
// create it: migrate creates the schema in a database, not the database.
func unreachable(dsn string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name
		name := "NAME"
		if parsed, parseErr := url.Parse(dsn); parseErr == nil && strings.TrimPrefix(parsed.Path, "/") != "" {
			name = strings.TrimPrefix(parsed.Path, "/")
		}
		return fmt.Errorf("cannot reach database: database %q does not exist on that PostgreSQL server: "+
			"create it (createdb %s, or CREATE DATABASE %s;), then start again", name, name, name)
	}
	return fmt.Errorf("cannot reach database: %w", err)
}

// createSQLiteFile creates a database file that does not exist yet, and
// its directory, readable by their owner only: the database holds
// shoppers' contacts, and SQLite gives its write-ahead log the database
// file's mode. An existing file keeps the mode its operator gave it.
func createSQLiteFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		if info, statErr := os.Stat(path); statErr == nil && info.IsDir() {
			// SQLite would say only "unable to open database file".
			return fmt.Errorf("%s is a directory: give the database file's path, such as %s", path, filepath.Join(path, "stockbell.db"))
		}
		return nil
	} else if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return f.Close()
}

// Open connects to the database and returns its services without a job
// queue, for tools that insert no jobs and for tests, which set Queue.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	conn, err := Connect(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	return New(conn, nil), nil
}

// FilePath returns the SQLite file a database URL names, or "" for
// PostgreSQL or a malformed URL.
func FilePath(rawURL string) string {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil || dialect != SQLite {
		return ""
	}
	return sqlitePath(dsn)
}

func sqlitePath(dsn string) string {
	return strings.TrimPrefix(dsn[:strings.Index(dsn, "?")], "file:")
}

// configurePool sizes the connection pool. SQLite allows one writer at a
// time; a handful of connections lets readers proceed beside it while
// busy_timeout and immediate transactions queue the writers.
func configurePool(c *Conn) {
	if c.Dialect == SQLite {
		c.DB.SetMaxOpenConns(4)
		c.DB.SetMaxIdleConns(4)
		c.DB.SetConnMaxIdleTime(0)
		return
	}
	// Every open connection may stay idle: a connection closed when the
	// load dips is a new backend to fork and authenticate when it rises,
	// and its prepared statements are lost with it (hundreds of
	// connections a run under the 32-client benchmarks with 10 idle).
	c.DB.SetMaxOpenConns(20)
	c.DB.SetMaxIdleConns(20)
	c.DB.SetConnMaxIdleTime(5 * time.Minute)
}

// Close closes the connection pool.
func (c *Conn) Close() error { return c.DB.Close() }

// Ping checks that the database answers; /readyz uses it. A pooled
// connection that the server ended (a restart, a failover,
// pg_terminate_backend) fails its ping and is dropped, and the pool may
// hold more like it: the database is then asked once more on a new
// connection, so that a broken connection does not read as a database that
// is down, while one that is down still fails within ctx.
//
// While every connection the pool may open is in use (requests waiting on a
// long lock or slow queries), a ping from the pool would wait behind them
// and read a busy database as one that is down: the database is then asked
// on a new connection at once (PoolBusy tells that it was).
func (c *Conn) Ping(ctx context.Context) error {
	if c.PoolBusy() {
		return c.pingOutsidePool(ctx, nil)
	}
	err := c.DB.PingContext(ctx)
	if !errors.Is(err, driver.ErrBadConn) {
		return err
	}
	return c.pingOutsidePool(ctx, err)
}

// PoolBusy reports whether every connection the pool may open is in use,
// so that a query waits for one to be let go.
func (c *Conn) PoolBusy() bool {
	stats := c.DB.Stats()
	return stats.MaxOpenConnections > 0 && stats.InUse >= stats.MaxOpenConnections
}

// Stats returns the connection pool's statistics.
func (c *Conn) Stats() sql.DBStats { return c.DB.Stats() }

// pingOutsidePool pings on a new connection. A driver without connectors
// (SQLite's) opens it directly, unless the pool's ping met a broken
// connection (poolErr), which only a server that ends connections makes.
func (c *Conn) pingOutsidePool(ctx context.Context, poolErr error) error {
	if opener, ok := c.DB.Driver().(driver.DriverContext); ok {
		return pingNewConnection(ctx, opener, c.dsn)
	}
	if poolErr != nil {
		return poolErr
	}
	conn, err := c.DB.Driver().Open(c.dsn)
	if err != nil {
		return err
	}
	defer conn.Close()
	return pingDriverConn(ctx, conn)
}

// pingNewConnection opens a connection outside the pool, pings it and
// closes it.
func pingNewConnection(ctx context.Context, opener driver.DriverContext, dsn string) error {
	connector, err := opener.OpenConnector(dsn)
	if err != nil {
		return err
	}
	conn, err := connector.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return pingDriverConn(ctx, conn)
}

func pingDriverConn(ctx context.Context, conn driver.Conn) error {
	if pinger, ok := conn.(driver.Pinger); ok {
		return pinger.Ping(ctx)
	}
	return nil
}

// Path returns the SQLite file path, or "" on PostgreSQL.
func (c *Conn) Path() string { return c.path }

func (db *DB) now() time.Time { return db.Clock.Now().UTC() }

// changeTime is the change time a save of something last changed at
// previous stores (a flow, restock settings), which names its version:
// now to the microsecond, which both databases keep (a finer time would
// read back otherwise on PostgreSQL, and the version the save answers
// would not be the one read next), and later than previous even when the
// clock has not passed it, so that one version never names two saves.
func changeTime(now, previous time.Time) time.Time {
	now = now.UTC().Truncate(time.Microsecond)
	if !now.After(previous) {
		return previous.UTC().Truncate(time.Microsecond).Add(time.Microsecond)
	}
	return now
}
