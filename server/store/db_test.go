package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/migrations"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		raw       string
		dialect   store.Dialect
		dsnPrefix string
		errHas    string
	}{
		{raw: "postgres://u:p@db.example:5432/stockbell?sslmode=require", dialect: store.Postgres, dsnPrefix: "postgres://u:p@db.example:5432/stockbell"},
		{raw: "postgresql://db.example/stockbell", dialect: store.Postgres, dsnPrefix: "postgresql://db.example/stockbell"},
		{raw: "./data/stockbell.db", dialect: store.SQLite, dsnPrefix: "file:./data/stockbell.db?"},
		{raw: "sqlite:///var/lib/stockbell.db", dialect: store.SQLite, dsnPrefix: "file:/var/lib/stockbell.db?"},
		{raw: "sqlite:stockbell.db", dialect: store.SQLite, dsnPrefix: "file:stockbell.db?"},
		{raw: "file:stockbell.db?mode=ro", errHas: `unsupported option "mode=ro"`},
		{raw: "", errHas: "empty database URL"},
		{raw: "mysql://root@localhost/shop", errHas: `unsupported database scheme "mysql"`},
		{raw: "postgres://user:s3cret@db.example:port/x", errHas: "malformed PostgreSQL URL"},
		{raw: "postgres://%zz", errHas: "malformed PostgreSQL URL"},
		{raw: "postgres:///stockbell", errHas: "no host"},
		{raw: "sqlite:", errHas: "no file path"},
		// libpq's keyword/value form is no file name: read as one, it
		// would create a SQLite database named after the settings.
		{raw: "host=db.example user=stockbell password=s3cret dbname=stockbell", errHas: "keyword/value"},
		{raw: "dbname=stockbell", errHas: "postgres://"},
	}
	for _, c := range cases {
		dialect, dsn, err := store.ParseURL(c.raw)
		if c.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), c.errHas) {
				t.Errorf("ParseURL(%q) error = %v, want one saying %q", c.raw, err, c.errHas)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("ParseURL(%q) error reveals the password: %v", c.raw, err)
			}
			continue
		}
		if err != nil || dialect != c.dialect || !strings.HasPrefix(dsn, c.dsnPrefix) {
			t.Errorf("ParseURL(%q) = %s, %q, %v; want %s, %q…", c.raw, dialect, dsn, err, c.dialect, c.dsnPrefix)
		}
		if dialect == store.SQLite {
			for _, pragma := range []string{"journal_mode(WAL)", "busy_timeout", "foreign_keys(1)", "_txlock=immediate"} {
				if !strings.Contains(dsn, pragma) {
					t.Errorf("SQLite DSN %q lacks %s", dsn, pragma)
				}
			}
		}
	}
}

// TestParseURLSQLiteOptions: the query of a SQLite URL is never dropped.
// The tunings an operator may want (busy_timeout, synchronous, cache_size,
// mmap_size) replace Stockbell's own; the settings Stockbell depends on
// (WAL, foreign keys, immediate transactions, its time format) may be
// restated but not changed; anything else is refused with an error that
// names it.
func TestParseURLSQLiteOptions(t *testing.T) {
	accepted := map[string][]string{
		"file:/data/s.db?_pragma=busy_timeout(30000)": {"file:/data/s.db?", "_pragma=busy_timeout(30000)", "journal_mode(WAL)", "foreign_keys(1)", "_txlock=immediate"},
		"sqlite:///data/s.db?_pragma=synchronous(full)&_pragma=cache_size(-20000)&_pragma=mmap_size(268435456)": {
			"file:/data/s.db?", "_pragma=synchronous(FULL)", "_pragma=cache_size(-20000)", "_pragma=mmap_size(268435456)", "busy_timeout(10000)"},
		// Stockbell's own settings restated, as written in its design notes.
		"file:s.db?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate": {
			"file:s.db?", "busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)", "_txlock=immediate", "_time_format=sqlite"},
		"s.db?_pragma=foreign_keys(on)&_pragma=journal_mode(wal)&_time_format=sqlite": {"file:s.db?", "journal_mode(WAL)"},
	}
	for raw, want := range accepted {
		dialect, dsn, err := store.ParseURL(raw)
		if err != nil || dialect != store.SQLite {
			t.Errorf("ParseURL(%q) = %s, %v", raw, dialect, err)
			continue
		}
		for _, part := range want {
			if !strings.Contains(dsn, part) {
				t.Errorf("ParseURL(%q) = %q, lacking %s", raw, dsn, part)
			}
		}
		if strings.Count(dsn, "busy_timeout") != 1 || strings.Count(dsn, "synchronous") != 1 {
			t.Errorf("ParseURL(%q) = %q: a setting given twice", raw, dsn)
		}
	}
	refused := map[string][]string{
		"file:s.db?mode=ro&vfs=unix-none":                           {`"mode=ro"`, `"vfs=unix-none"`, "busy_timeout"},
		"file:s.db?_busy_timeout=5000":                              {`"_busy_timeout=5000"`, "_pragma=busy_timeout(MS)"},
		"file:s.db?_pragma=journal_mode(DELETE)":                    {"journal_mode(WAL)"},
		"file:s.db?_pragma=foreign_keys(0)":                         {"foreign_keys(1)"},
		"file:s.db?_txlock=deferred":                                {"_txlock=immediate"},
		"file:s.db?_time_format=datetime":                           {"_time_format=sqlite"},
		"file:s.db?_pragma=synchronous(OFF)":                        {"synchronous", "NORMAL, FULL or EXTRA"},
		"file:s.db?_pragma=busy_timeout(1);drop table x":            {"malformed query"},
		"file:s.db?_pragma=busy_timeout(1)%3Bdrop%20table%20x":      {"busy_timeout(1);drop table x"},
		"file:s.db?_pragma=temp_store(memory)":                      {"temp_store"},
		"file:s.db?_pragma=busy_timeout(1)&_pragma=busy_timeout(2)": {"busy_timeout", "twice"},
		"file:s.db?_pragma=cache_size(lots)":                        {"cache_size"},
	}
	for raw, want := range refused {
		_, dsn, err := store.ParseURL(raw)
		if err == nil {
			t.Errorf("ParseURL(%q) = %q, want an error", raw, dsn)
			continue
		}
		for _, part := range want {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("ParseURL(%q) error %q does not say %s", raw, err, part)
			}
		}
	}
}

// TestSQLiteURLOptionsTakeEffect: an option of the URL is what the
// connections run with.
func TestSQLiteURLOptionsTakeEffect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	conn, err := store.Connect(t.Context(), "file:"+path+"?_pragma=busy_timeout(31000)&_pragma=synchronous(FULL)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var busy, synchronous int
	if err := conn.DB.Get(&busy, "PRAGMA busy_timeout"); err != nil || busy != 31000 {
		t.Errorf("busy_timeout = %d, %v; want 31000", busy, err)
	}
	if err := conn.DB.Get(&synchronous, "PRAGMA synchronous"); err != nil || synchronous != 2 {
		t.Errorf("synchronous = %d, %v; want 2 (FULL)", synchronous, err)
	}
	if conn.Path() != path {
		t.Errorf("Path() = %q, want %q", conn.Path(), path)
	}
}

// TestParseURLRequiresTLSByDefault keeps what a PostgreSQL URL without
// sslmode meant under lib/pq: TLS required, never a plaintext fallback.
func TestParseURLRequiresTLSByDefault(t *testing.T) {
	t.Setenv("PGSSLMODE", "")
	t.Setenv("PGAPPNAME", "tls-test") // the name ParseURL adds otherwise is TestParseURLNamesTheApplication's
	cases := map[string]string{
		"postgres://u:p@db.example/stockbell":                       "postgres://u:p@db.example/stockbell?sslmode=require",
		"postgres://u:p@db.example/stockbell?":                      "postgres://u:p@db.example/stockbell?sslmode=require",
		"postgres://db.example/stockbell?connect_timeout=5":         "postgres://db.example/stockbell?connect_timeout=5&sslmode=require",
		"postgres://db.example/stockbell?sslmode=disable":           "postgres://db.example/stockbell?sslmode=disable",
		"postgresql://db.example/stockbell?sslmode=verify-full&x=1": "postgresql://db.example/stockbell?sslmode=verify-full&x=1",
	}
	wantDSNs(t, cases)
	t.Setenv("PGSSLMODE", "disable")
	if _, dsn, _ := store.ParseURL("postgres://db.example/stockbell"); dsn != "postgres://db.example/stockbell" {
		t.Errorf("with PGSSLMODE set, ParseURL added to the URL: %q", dsn)
	}
}

// TestParseURLNamesTheApplication: a PostgreSQL URL without
// application_name (and no PGAPPNAME) connects as "stockbell"; the
// operator's name, in the URL or PGAPPNAME, is kept.
func TestParseURLNamesTheApplication(t *testing.T) {
	t.Setenv("PGAPPNAME", "")
	cases := map[string]string{
		"postgres://db.example/stockbell?sslmode=disable":                       "postgres://db.example/stockbell?sslmode=disable&application_name=stockbell",
		"postgres://db.example/stockbell":                                       "postgres://db.example/stockbell?sslmode=require&application_name=stockbell",
		"postgres://db.example/stockbell?sslmode=disable&application_name=eu-2": "postgres://db.example/stockbell?sslmode=disable&application_name=eu-2",
		"postgres://db.example/stockbell?application_name=":                     "postgres://db.example/stockbell?application_name=&sslmode=require",
	}
	wantDSNs(t, cases)
	t.Setenv("PGAPPNAME", "eu-2")
	if _, dsn, _ := store.ParseURL("postgres://db.example/stockbell?sslmode=disable"); dsn != "postgres://db.example/stockbell?sslmode=disable" {
		t.Errorf("with PGAPPNAME set, ParseURL added to the URL: %q", dsn)
	}
}

// wantDSNs checks the data source name ParseURL makes of each URL.
func wantDSNs(t *testing.T, cases map[string]string) {
	t.Helper()
	for raw, want := range cases {
		if _, dsn, err := store.ParseURL(raw); err != nil || dsn != want {
			t.Errorf("ParseURL(%q) = %q, %v; want %q", raw, dsn, err, want)
		}
	}
}

func TestOpenUnreachable(t *testing.T) {
	_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/stockbell?sslmode=disable&connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "cannot reach database") {
		t.Fatalf("Open of a closed port = %v", err)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		before, err := db.SchemaVersion(ctx)
		must(t, err)
		if latest := latestMigration(t, db); before != latest {
			t.Fatalf("schema version %d, want the latest %d", before, latest)
		}
		must(t, db.Migrate(ctx))
		must(t, db.Migrate(ctx))
		after, err := db.SchemaVersion(ctx)
		must(t, err)
		if after != before {
			t.Fatalf("version moved from %d to %d", before, after)
		}
		if _, err := db.FindShopByID(ctx, shop.ID); err != nil {
			t.Fatalf("data lost by migrating again: %v", err)
		}
	})
}

// latestMigration returns the highest version in the dialect's folder.
func latestMigration(t *testing.T, db *store.DB) int64 {
	t.Helper()
	fsys, err := migrations.FS(string(db.Dialect))
	must(t, err)
	p, err := goose.NewProvider(gooseDialect(db), db.DB.DB, fsys)
	must(t, err)
	sources := p.ListSources()
	return sources[len(sources)-1].Version
}

func gooseDialect(db *store.DB) goose.Dialect {
	if db.Dialect == store.Postgres {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

// brokenMigration changes schema and data, then fails half way.
const brokenMigration = `-- +goose Up
CREATE TABLE half_done (id INTEGER);
ALTER TABLE shops ADD COLUMN broken_col TEXT;
DELETE FROM shops;
SELECT no_such_column FROM no_such_table;
-- +goose Down
DROP TABLE half_done;
`

// TestFailingMigrationLeavesDatabaseAsItWas runs the shipped migrations
// plus a broken one through goose, as Migrate does: the broken one's
// changes must all be rolled back.
func TestFailingMigrationLeavesDatabaseAsItWas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		before, err := db.SchemaVersion(ctx)
		must(t, err)
		fsys := withBrokenMigration(t, db)
		p, err := goose.NewProvider(gooseDialect(db), db.DB.DB, fsys)
		must(t, err)
		if _, err := p.Up(ctx); err == nil {
			t.Fatal("the broken migration succeeded")
		}
		after, err := db.SchemaVersion(ctx)
		must(t, err)
		if after != before {
			t.Fatalf("version %d after a failed migration, want %d", after, before)
		}
		for _, probe := range []string{`SELECT COUNT(*) FROM half_done`, `SELECT COUNT(broken_col) FROM shops`} {
			var n int
			if err := db.DB.GetContext(ctx, &n, probe); err == nil {
				t.Errorf("%q works: the failed migration's schema change stayed", probe)
			}
		}
		if _, err := db.FindShopByID(ctx, shop.ID); err != nil {
			t.Fatalf("the failed migration's data change stayed: %v", err)
		}
		must(t, db.Migrate(ctx))
	})
}

// withBrokenMigration copies the dialect's migrations and adds a broken one
// after them.
func withBrokenMigration(t *testing.T, db *store.DB) fs.FS {
	t.Helper()
	fsys := shippedMigrations(t, db.Dialect)
	fsys["9999_broken.sql"] = &fstest.MapFile{Data: []byte(brokenMigration)}
	return fsys
}

// shippedMigrations copies the dialect's shipped migrations, for a test
// to add its own.
func shippedMigrations(t *testing.T, dialect store.Dialect) fstest.MapFS {
	t.Helper()
	src, err := migrations.FS(string(dialect))
	must(t, err)
	out := fstest.MapFS{}
	names, err := fs.Glob(src, "*.sql")
	must(t, err)
	for _, name := range names {
		data, err := fs.ReadFile(src, name)
		must(t, err)
		out[name] = &fstest.MapFile{Data: data}
	}
	return out
}

// TestConcurrentMigrate starts two replicas against one empty database at
// once; under the migration lock both must come up on the latest schema.
func TestConcurrentMigrate(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			dbURL := emptyDatabase(t, dialect)
			replicas := make([]*store.DB, 2)
			for i := range replicas {
				db, err := store.Open(ctx, dbURL)
				must(t, err)
				t.Cleanup(func() { db.Close() })
				replicas[i] = db
			}
			var wg sync.WaitGroup
			errs := make([]error, len(replicas))
			for i, db := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = db.WithMigrationLock(ctx, store.MigrationLock{}, func(ctx context.Context, migrator *store.Conn) error {
						return migrator.Migrate(ctx)
					})
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("replica %d: %v", i, err)
				}
			}
			for _, db := range replicas {
				version, err := db.SchemaVersion(ctx)
				must(t, err)
				if latest := latestMigration(t, db); version != latest {
					t.Fatalf("version %d, want %d", version, latest)
				}
			}
		})
	}
}

// emptyDatabase returns the URL of a new, unmigrated database.
func emptyDatabase(t *testing.T, dialect store.Dialect) string {
	t.Helper()
	if dialect == store.SQLite {
		return filepath.Join(t.TempDir(), "empty.db")
	}
	base := os.Getenv(storetest.PostgresEnv)
	admin, err := sql.Open("pgx", base)
	must(t, err)
	defer admin.Close()
	name := "stockbell_empty_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	_, err = admin.Exec("CREATE DATABASE " + name)
	must(t, err)
	t.Cleanup(func() {
		if admin, err := sql.Open("pgx", base); err == nil {
			admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			admin.Close()
		}
	})
	u, err := url.Parse(base)
	must(t, err)
	u.Path = "/" + name
	return u.String()
}

// TestLateMigrationIsApplied lands a migration numbered below the
// database's version, as when work with a lower version range lands after
// work with a higher one: Migrate's provider applies it.
func TestLateMigrationIsApplied(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		before, err := db.SchemaVersion(ctx)
		must(t, err)
		fsys := shippedMigrations(t, db.Dialect)
		used := map[string]bool{}
		for name := range fsys {
			used[name[:4]] = true
		}
		version := before - 1
		for version > 0 && used[fmt.Sprintf("%04d", version)] {
			version--
		}
		if version <= 0 {
			t.Skipf("no free version below %d to test with", before)
		}
		late := fmt.Sprintf("%04d_late_arrival.sql", version)
		fsys[late] = &fstest.MapFile{Data: []byte("-- +goose Up\nCREATE TABLE late_arrival (id INTEGER);\n-- +goose Down\nDROP TABLE late_arrival;\n")}
		p, err := db.MigrationsFrom(fsys)
		must(t, err)
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("a late migration was refused: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM late_arrival`); n != 0 {
			t.Fatalf("late_arrival has %d rows", n)
		}
	})
}

// TestANewSQLiteDatabaseIsReadableByItsOwnerOnly connects to a file that
// does not exist in a directory others may read, as an operator's
// STOCKBELL_DATABASE_URL may name, writes to it, and checks that the
// database and its write-ahead log, which hold shoppers' contacts, are
// readable by their owner only.
func TestANewSQLiteDatabaseIsReadableByItsOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "stockbell.db")
	conn, err := store.Connect(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{path, path + "-wal"} {
		info, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %04o: others may read it", filepath.Base(file), perm)
		}
	}
}
