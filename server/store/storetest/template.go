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
// process drops those that outlived any test process.
const templatePrefix = "stockbell_template_"

// staleTemplateAge is how old a template must be to be dropped as left
// behind: older than any test process lives (go test's -timeout).
const staleTemplateAge = time.Hour

// migratedPostgresURL creates a database holding Stockbell's and River's
// schemas, copied from this process's template, dropped when the test ends.
func migratedPostgresURL(tb testing.TB) string {
	tb.Helper()
	base := postgresBase(tb)
	pgTemplate.once.Do(func() {
		pgTemplate.name, pgTemplate.err = buildTemplate(base)
	})
	if pgTemplate.err != nil {
		tb.Fatalf("migrated template database: %v", pgTemplate.err)
	}
	return createPostgres(tb, pgTemplate.name)
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
	dropStaleTemplates(ctx, admin, base)
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

// dropStaleTemplates drops the templates of test processes that have
// ended.
func dropStaleTemplates(ctx context.Context, admin *sql.DB, base string) {
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'stockbell\_template\_%'`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil && templateCreated(name).Before(time.Now().Add(-staleTemplateAge)) {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		dropDatabase(base, name)
	}
}

// templateCreated reads the creation time out of a template's name; a
// name it cannot read counts as new, so it is never dropped.
func templateCreated(name string) time.Time {
	unix, _, _ := strings.Cut(strings.TrimPrefix(name, templatePrefix), "_")
	seconds, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return time.Now()
	}
	return time.Unix(seconds, 0)
}
