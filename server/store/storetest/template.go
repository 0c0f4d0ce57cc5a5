package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/store"
)

// Each test process migrates one PostgreSQL database and gives every test
// a copy of it (CREATE DATABASE … TEMPLATE): the copy takes a fraction of
// the time the migrations take on a server whose disk commits slowly, and
// it is a fresh database all the same.
var pgTemplate struct {
	once sync.Once
	name string
	err  error
}

// templatePrefix names the template databases; the creation time follows.
// A test process has no hook at its end to drop its template, so each
// process drops those that outlived any test process (dropStaleDatabases).
const templatePrefix = "stockbell_template_"

// staleDatabaseAge is how old a template or a test database must be to be
// dropped as left behind: older than any test process lives (go test's
// -timeout).
const staleDatabaseAge = time.Hour

// MigratedPostgresURL creates a database holding Stockbell's and River's
// schemas, copied from this process's template, and returns its URL; the
// database is dropped after the test ends. A server started on it finds no
// migration left to apply, so a test that is not about migrating starts
// one without waiting for the migrations (FreshPostgresURL is for those
// that are). It skips the test (fails it in CI) without PostgreSQL.
func MigratedPostgresURL(tb testing.TB) string {
	tb.Helper()
	return migratedPostgresURL(tb)
}

// migratedPostgresURL creates a database holding Stockbell's and River's
// schemas, copied from this process's template, dropped after the test ends.
func migratedPostgresURL(tb testing.TB) string {
	tb.Helper()
	template, err := migratedTemplate(postgresBase(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return createPostgres(tb, template)
}

// migratedTemplate returns the name of this process's migrated template,
// built on the first call.
func migratedTemplate(base string) (string, error) {
	pgTemplate.once.Do(func() {
		pgTemplate.name, pgTemplate.err = buildTemplate(base)
	})
	if pgTemplate.err != nil {
		return "", fmt.Errorf("migrated template database: %w", pgTemplate.err)
	}
	return pgTemplate.name, nil
}

// postgresCopy is a copy of the migrated template being made for a test
// that has not asked for it yet.
type postgresCopy struct {
	base string
	done chan struct{}
	name string
	err  error
}

// copyPostgresAhead starts copying the migrated template for a subtest of
// t that will ask for it later (Run's PostgreSQL subtest, after the SQLite
// one): the copy is made while the test does its other work, and is no
// less fresh for it, since no one else ever connects to it. The copy is
// dropped after t ends, whether a subtest took it or not (a -run pattern
// can leave the PostgreSQL subtest out).
func copyPostgresAhead(t testing.TB) *postgresCopy {
	t.Helper()
	c := &postgresCopy{base: postgresBase(t), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		template, err := migratedTemplate(c.base)
		if err != nil {
			c.err = err
			return
		}
		c.name, c.err = createDatabase(c.base, template)
	}()
	t.Cleanup(func() {
		<-c.done
		if c.err == nil {
			dropLater(c.base, c.name)
		}
	})
	return c
}

// open waits for the copy and opens it as Open does.
func (c *postgresCopy) open(tb testing.TB) *store.DB {
	tb.Helper()
	<-c.done
	if c.err != nil {
		tb.Fatal(c.err)
	}
	return openAt(tb, store.Postgres, databaseURL(tb, c.base, c.name))
}

// buildTemplate creates and migrates the template database. It is never
// connected to afterwards, as PostgreSQL requires of a database it copies.
func buildTemplate(base string) (string, error) {
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	dropStaleDatabases(ctx, admin, base)
	name := fmt.Sprintf("%s%d_%s", templatePrefix, time.Now().Unix(), randomHex(4))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create %s: %w", name, err)
	}
	if err := migrateTemplate(ctx, base, name); err != nil {
		dropDatabase(base, name)
		return "", err
	}
	return name, nil
}

func migrateTemplate(ctx context.Context, base, name string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("parse %s: %w", PostgresEnv, err)
	}
	u.Path = "/" + name
	conn, err := store.Connect(ctx, u.String())
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer conn.Close()
	return migrate(ctx, conn, u.String())
}

// dropStaleDatabases drops the templates and the test databases that
// ended test processes left behind (see maxPendingDrops), several at a
// time (dropAll).
func dropStaleDatabases(ctx context.Context, admin *sql.DB, base string) {
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database
		WHERE datname LIKE 'stockbell\_template\_%' OR datname LIKE 'stockbell\_test\_%'`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil && databaseCreated(name).Before(time.Now().Add(-staleDatabaseAge)) {
			stale = append(stale, name)
		}
	}
	rows.Close()
	dropAll(base, stale)
}

// databaseCreated reads the creation time out of a template's or a test
// database's name (prefix, time, "_", random part); a name it cannot read
// counts as new, so it is never dropped. A test database named before
// the time was in its name (prefix and random part) is one of those.
func databaseCreated(name string) time.Time {
	for _, prefix := range []string{templatePrefix, testDatabasePrefix} {
		name = strings.TrimPrefix(name, prefix)
	}
	unix, _, timed := strings.Cut(name, "_")
	seconds, err := strconv.ParseInt(unix, 10, 64)
	if !timed || err != nil {
		return time.Now()
	}
	return time.Unix(seconds, 0)
}
