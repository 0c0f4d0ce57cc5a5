// Package storetest opens fresh, migrated databases for tests: SQLite
// always, and PostgreSQL when STOCKBELL_TEST_POSTGRES_URL is set. With
// CI=true a missing PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx", which opens the admin connections
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
)

// PostgresEnv names the variable holding the PostgreSQL server URL for tests.
const PostgresEnv = "STOCKBELL_TEST_POSTGRES_URL"

// Dialects lists the databases the current run tests: "sqlite", then
// "postgres" when its URL is set. In CI a missing URL is fatal.
func Dialects(tb testing.TB) []store.Dialect {
	tb.Helper()
	dialects := []store.Dialect{store.SQLite}
	if os.Getenv(PostgresEnv) != "" {
		dialects = append(dialects, store.Postgres)
	} else if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s is not set: the PostgreSQL suite cannot run", PostgresEnv)
	}
	return dialects
}

// Run runs fn as a subtest once per dialect, each with a fresh database.
// The PostgreSQL database is copied from the template while the SQLite
// subtest runs (see copyPostgresAhead).
func Run(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	dialects := Dialects(t)
	var postgres *postgresCopy
	if slices.Contains(dialects, store.Postgres) {
		postgres = copyPostgresAhead(t)
	}
	for _, dialect := range dialects {
		t.Run(string(dialect), func(t *testing.T) {
			if dialect == store.Postgres {
				fn(t, postgres.open(t))
				return
			}
			fn(t, Open(t, dialect))
		})
	}
}

// Open returns a fresh database of the dialect with Stockbell's and River's
// schemas migrated and the store built on an insert-only job queue, closed and dropped
// after the test ends.
func Open(tb testing.TB, dialect store.Dialect) *store.DB {
	tb.Helper()
	db, _ := OpenURL(tb, dialect)
	return db
}

// OpenURL is Open that also returns the database's URL, for a test that
// starts a working job queue or another process on the same database.
func OpenURL(tb testing.TB, dialect store.Dialect) (*store.DB, string) {
	tb.Helper()
	dbURL := ""
	switch dialect {
	case store.SQLite:
		dbURL = filepath.Join(tb.TempDir(), "stockbell.db")
	case store.Postgres:
		dbURL = migratedPostgresURL(tb)
	default:
		tb.Fatalf("unknown dialect %q", dialect)
	}
	return openAt(tb, dialect, dbURL), dbURL
}

// openAt opens the database at dbURL, migrates it (a copy of the
// template has nothing left to apply) and builds the store on an
// insert-only job queue; the connection is closed when the test ends.
func openAt(tb testing.TB, dialect store.Dialect, dbURL string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	conn, err := store.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { conn.Close() })
	if err := migrate(ctx, conn, dbURL); err != nil {
		tb.Fatal(err)
	}
	queue, err := jobs.New(ctx, jobs.Config{Database: JobsDatabase(conn, dbURL)})
	if err != nil {
		tb.Fatalf("job queue: %v", err)
	}
	return store.New(conn, queue)
}

// migrate applies Stockbell's and River's migrations; on a copy of the
// migrated template it finds none left to apply.
func migrate(ctx context.Context, conn *store.Conn, dbURL string) error {
	if err := conn.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := jobs.Migrate(ctx, JobsDatabase(conn, dbURL)); err != nil {
		return fmt.Errorf("migrate jobs: %w", err)
	}
	return nil
}

// JobsDatabase describes a test database to the job queue.
func JobsDatabase(conn *store.Conn, dbURL string) jobs.Database {
	d := jobs.Database{DB: conn.DB.DB, Postgres: conn.Dialect == store.Postgres}
	if d.Postgres {
		d.URL = dbURL
	}
	return d
}

// FreshPostgresURL creates an empty database on the test server and
// returns its URL; the database is dropped after the test ends.
func FreshPostgresURL(tb testing.TB) string {
	tb.Helper()
	return createPostgres(tb, "")
}

// createPostgres creates a database on the test server, a copy of the
// template database when one is named, and returns its URL; the database
// is dropped after the test ends (dropLater).
func createPostgres(tb testing.TB, template string) string {
	tb.Helper()
	base := postgresBase(tb)
	name, err := createDatabase(base, template)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { dropLater(base, name) })
	return databaseURL(tb, base, name)
}

// createDatabase creates a database on the server at base, a copy of the
// template database when one is named, and returns its name.
func createDatabase(base, template string) (string, error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	defer admin.Close()
	name := newDatabaseName()
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + template
	}
	if _, err := admin.Exec(create); err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	return name, nil
}

// postgresBase returns the test server's URL, skipping the test (failing
// it in CI) when none is set.
func postgresBase(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true but %s is not set", PostgresEnv)
		}
		tb.Skipf("%s not set", PostgresEnv)
	}
	return base
}

func dropDatabase(base, name string) error {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	return err
}

// databaseURL is the server's URL naming another database on it.
func databaseURL(tb testing.TB, base, name string) string {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// NamedURL returns the PostgreSQL URL with application_name set to name,
// by which pg_stat_activity shows its connections.
func NamedURL(tb testing.TB, dbURL, name string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatalf("parse %s: %v", dbURL, err)
	}
	query := u.Query()
	query.Set("application_name", name)
	u.RawQuery = query.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// MustShop installs a shop for tests.
func MustShop(tb testing.TB, shops stockbell.ShopService, platform stockbell.Platform, domain string) *stockbell.Shop {
	tb.Helper()
	shop, err := shops.InstallShop(context.Background(), stockbell.ShopInstall{Platform: platform, Domain: domain, Name: domain})
	if err != nil {
		tb.Fatalf("install shop %s: %v", domain, err)
	}
	return shop
}
