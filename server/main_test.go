package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// testEnv returns a getenv over a map, with a data directory of the test's own.
func testEnv(t *testing.T, vars map[string]string) func(string) string {
	t.Helper()
	env := map[string]string{"STOCKBELL_DATA_DIR": t.TempDir(), "STOCKBELL_ADDR": "127.0.0.1:0"}
	for k, v := range vars {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// sinkURL is the STOCKBELL_SMTP_URL of an SMTP sink's listener i.
func sinkURL(sink *smtptest.Server, i int) string {
	return "smtp://" + sink.Addr(i) + "?tls=none"
}

// startServer runs a real server on port 0 and stops it when the test ends.
//
// Each server has its own database, data directory, metrics registry and
// fakes, so a test that starts servers and touches nothing else of the
// process (no t.Setenv, no package variable, no fixed port) may call
// t.Parallel. The end-to-end tests that wait seconds on the queue at its
// shipped settings do: they run beside TestThreeReplicasOneKilled, which
// waits a minute for its rescue, instead of adding their waits to the
// package's time. The Chromium tests stay sequential: some press keys and
// follow the focus, which tabs side by side in one browser were not shown
// to keep apart.
func startServer(t *testing.T, getenv func(string) string) *Main {
	t.Helper()
	return startServerOn(t, nil, getenv)
}

// startServerAt starts the server as startServer does on a loopback port
// the test opens and holds until the server serves on it, with
// STOCKBELL_ADDR and STOCKBELL_PUBLIC_URL naming it, for a test whose
// server must know its public URL (OAuth redirects, a module's setup):
// finding a free port, releasing it and starting the server there would
// let a test running in parallel take it in between. ADDR in a value of
// vars stands for that address.
func startServerAt(t *testing.T, vars map[string]string) *Main {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	env := map[string]string{"STOCKBELL_ADDR": addr, "STOCKBELL_PUBLIC_URL": "http://" + addr}
	for k, v := range vars {
		env[k] = strings.ReplaceAll(v, "ADDR", addr)
	}
	return startServerOn(t, ln, testEnv(t, env))
}

// startServerOn is startServer serving on ln, already open, when not nil.
func startServerOn(t *testing.T, ln net.Listener, getenv func(string) string) *Main {
	t.Helper()
	env := &cliEnv{ctx: context.Background(), getenv: getenv, stdout: io.Discard, stderr: io.Discard}
	cfg, err := loadConfig(env)
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		t.Fatal(err)
	}
	var logs bytes.Buffer
	m := NewMain(cfg, newLogger(cfg, &logs))
	m.listener = ln
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return m
}

// databaseURLs returns a database URL per dialect under test: a new
// SQLite file, which the server migrates at start, and a PostgreSQL
// database already migrated (a copy of the test process's template), on
// which the server finds nothing to apply. Migrating PostgreSQL from
// nothing takes a server most of a second; the tests that start servers
// on an empty PostgreSQL database (TestTwoReplicasStartTogether,
// TestServerNamesItsPostgresConnections, TestReadyzAfterConnectionsAreCut,
// TestThreeReplicasOneKilled) prove that path, and a test of migrating
// from an older schema starts from emptyDatabaseURLs.
func databaseURLs(t *testing.T) map[store.Dialect]string {
	return databaseURLsWith(t, storetest.MigratedPostgresURL)
}

// emptyDatabaseURLs returns a database URL per dialect under test, each
// database empty, for a test that migrates it itself: databaseURLs'
// PostgreSQL database holds the newest schema already.
func emptyDatabaseURLs(t *testing.T) map[store.Dialect]string {
	return databaseURLsWith(t, storetest.FreshPostgresURL)
}

// databaseURLsWith returns a new SQLite file and, under test, the
// PostgreSQL database postgresURL creates.
func databaseURLsWith(t *testing.T, postgresURL func(testing.TB) string) map[store.Dialect]string {
	urls := map[store.Dialect]string{store.SQLite: filepath.Join(t.TempDir(), "db.sqlite")}
	for _, d := range storetest.Dialects(t) {
		if d == store.Postgres {
			urls[d] = postgresURL(t)
		}
	}
	return urls
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	return clientGet(t, http.DefaultClient, url)
}

func TestServeHealthReadyMetrics(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			m := startServer(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}))
			if m.DB.Dialect != dialect {
				t.Fatalf("server opened %s, want %s", m.DB.Dialect, dialect)
			}
			if code, body := get(t, m.URL()+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
				t.Errorf("/healthz = %d %s", code, body)
			}
			if code, body := get(t, m.URL()+"/readyz"); code != 200 || !strings.Contains(body, `"database":"ok"`) {
				t.Errorf("/readyz = %d %s", code, body)
			}
			code, body := get(t, m.URL()+"/metrics")
			if code != 200 || !strings.Contains(body, "stockbell_http_requests_total") || !strings.Contains(body, "go_goroutines") {
				t.Errorf("/metrics = %d, missing request counters or Go metrics", code)
			}
			if code, body := get(t, m.URL()+"/no-such-route"); code != 404 || !strings.Contains(body, `"not_found"`) {
				t.Errorf("unknown route = %d %s", code, body)
			}
		})
	}
}

func TestReadyzFailsWhenDatabaseIsGone(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	m := startServer(t, testEnv(t, nil))
	m.DB.Close()
	if code, _ := get(t, m.URL()+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a closed database = %d, want 503", code)
	}
	if code, _ := get(t, m.URL()+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d, want 200 (the process still serves)", code)
	}
	if up, ok := scrape(t, m)["stockbell_database_up"]; !ok || up != 0 {
		t.Errorf("stockbell_database_up = %v (present %v) with a closed database, want 0", up, ok)
	}
}

func TestDevelopmentKeyIsKept(t *testing.T) {
	dir := t.TempDir()
	getenv := testEnv(t, map[string]string{"STOCKBELL_DATA_DIR": dir})
	first, err := loadConfig(&cliEnv{getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	second, err := loadConfig(&cliEnv{getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.SecretKey) < 32 || !bytes.Equal(first.SecretKey, second.SecretKey) {
		t.Fatalf("development key not generated once and kept")
	}
	if info, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key missing or readable by others: %v", err)
	}
	if bytes.Equal(first.SubKey("cookies", 32), first.SubKey("sealing", 32)) {
		t.Fatal("sub-keys for different purposes are equal")
	}
}

// run executes the binary's entry point and returns its exit code and output.
func run(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), args, getenv, nil, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	cases := []struct {
		name    string
		vars    map[string]string
		setting string
	}{
		{"malformed database URL", map[string]string{"STOCKBELL_DATABASE_URL": "postgres://%zz"}, "STOCKBELL_DATABASE_URL"},
		{"unsupported scheme", map[string]string{"STOCKBELL_DATABASE_URL": "mysql://localhost/x"}, "STOCKBELL_DATABASE_URL"},
		{"unreachable database", map[string]string{"STOCKBELL_DATABASE_URL": "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"}, "STOCKBELL_DATABASE_URL"},
		{"production without key", map[string]string{"STOCKBELL_ENV": "production", "STOCKBELL_PUBLIC_URL": "https://app.example"}, "STOCKBELL_SECRET_KEY"},
		{"production over http", map[string]string{"STOCKBELL_ENV": "production", "STOCKBELL_PUBLIC_URL": "http://app.example", "STOCKBELL_SECRET_KEY": strings.Repeat("k", 32)}, "STOCKBELL_PUBLIC_URL"},
		{"short key", map[string]string{"STOCKBELL_SECRET_KEY": "short"}, "STOCKBELL_SECRET_KEY"},
		{"bad address", map[string]string{"STOCKBELL_ADDR": "nonsense"}, "STOCKBELL_ADDR"},
		{"bad proxies", map[string]string{"STOCKBELL_TRUSTED_PROXIES": "10.0.0.0/8, not-a-cidr"}, "STOCKBELL_TRUSTED_PROXIES"},
		{"BigCommerce without secret", map[string]string{"BIGCOMMERCE_CLIENT_ID": "id"}, "BIGCOMMERCE_CLIENT_SECRET"},
		{"BigCommerce bad API URL", map[string]string{"BIGCOMMERCE_CLIENT_ID": "id", "BIGCOMMERCE_CLIENT_SECRET": "s", "STOCKBELL_BIGCOMMERCE_API_URL": "api.example"}, "STOCKBELL_BIGCOMMERCE_API_URL"},
		{"BigCommerce app id not a number", map[string]string{"BIGCOMMERCE_CLIENT_ID": "id", "BIGCOMMERCE_CLIENT_SECRET": "s", "STOCKBELL_BIGCOMMERCE_APP_ID": "stockbell"}, "STOCKBELL_BIGCOMMERCE_APP_ID"},
		{"feed size cap", map[string]string{"STOCKBELL_FEED_MAX_BYTES": "lots"}, "STOCKBELL_FEED_MAX_BYTES"},
		{"receipt retention not a duration", map[string]string{"STOCKBELL_RECEIPT_RETENTION": "7d"}, "STOCKBELL_RECEIPT_RETENTION"},
		{"receipt retention within retries", map[string]string{"STOCKBELL_RECEIPT_RETENTION": "24h"}, "STOCKBELL_RECEIPT_RETENTION"},
		{"migration lock wait not a duration", map[string]string{"STOCKBELL_MIGRATION_LOCK_WAIT": "15"}, "STOCKBELL_MIGRATION_LOCK_WAIT"},
		{"migration lock wait of none", map[string]string{"STOCKBELL_MIGRATION_LOCK_WAIT": "0s"}, "STOCKBELL_MIGRATION_LOCK_WAIT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, testEnv(t, c.vars), "serve")
			if code == 0 {
				t.Fatalf("serve exited 0 with %v", c.vars)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], c.setting) {
				t.Fatalf("want one line naming %s, got %q", c.setting, stderr)
			}
		})
	}
}

func TestSubcommandsHaveHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"backup", "--help"}, {"shop", "--help"}, {"shop", "list", "--help"}, {"settings", "--help"}, {"settings", "set", "--help"}, {"settings", "get", "--help"}, {"admin", "--help"}, {"admin", "link", "--help"}, {"shop", "add", "--help"}, {"feed", "--help"}, {"feed", "sync", "--help"}} {
		code, stdout, _ := run(t, testEnv(t, nil), args...)
		if code != 0 || !strings.Contains(stdout, "Usage") {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout)
		}
	}
	if code, _, _ := run(t, testEnv(t, nil), "frobnicate"); code != 2 {
		t.Errorf("unknown command exit = %d, want 2", code)
	}
}

func TestMigrateCommand(t *testing.T) {
	getenv := testEnv(t, nil)
	for i := 0; i < 2; i++ { // twice: the second run has nothing to do
		code, stdout, stderr := run(t, getenv, "migrate")
		if code != 0 || !strings.Contains(stdout, "database migrated (sqlite, schema version") {
			t.Fatalf("migrate #%d: exit %d, %q %q", i+1, code, stdout, stderr)
		}
	}
}

// TestTwoReplicasStartTogether starts two servers at once on one fresh
// PostgreSQL database: the migration lock lets both come up.
func TestTwoReplicasStartTogether(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	dbURL := storetest.FreshPostgresURL(t)
	getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL, "STOCKBELL_SECRET_KEY": strings.Repeat("k", 32)})
	errs := make(chan error, 2)
	mains := make(chan *Main, 2)
	for i := 0; i < 2; i++ {
		go func() {
			cfg, err := loadConfig(&cliEnv{getenv: getenv})
			if err != nil {
				errs <- err
				return
			}
			m := NewMain(cfg, newLogger(cfg, io.Discard))
			errs <- m.Run(context.Background())
			mains <- m
		}()
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("replica failed to start: %v", err)
		}
	}
	for i := 0; i < 2; i++ {
		m := <-mains
		t.Cleanup(func() { m.Close() })
		if code, _ := get(t, m.URL()+"/readyz"); code != 200 {
			t.Errorf("replica %d not ready: %d", i, code)
		}
	}
}

func hasPostgres(t *testing.T) bool {
	for _, d := range storetest.Dialects(t) {
		if d == store.Postgres {
			return true
		}
	}
	t.Skip("PostgreSQL not configured")
	return false
}

func TestSettingsCommands(t *testing.T) {
	getenv := envWithShop(t, "bells.myshopify.com")
	if code, _, stderr := run(t, getenv, "settings", "get", "--shop", "nope.myshopify.com"); code == 0 || !strings.Contains(stderr, "no shop") {
		t.Fatalf("unknown shop: exit %d, %q", code, stderr)
	}

	code, stdout, stderr := run(t, getenv, "settings", "get", "--shop", "bells.myshopify.com")
	if code != 0 || !strings.Contains(oneSpaced(stdout), "min-inventory: 1") || !strings.Contains(stdout, "0 (everyone)") {
		t.Fatalf("defaults: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, getenv, "settings", "set", "--shop", "bells.myshopify.com", "--min-inventory", "5", "--per-unit", "3", "--wait", "2h")
	if code != 0 || !strings.Contains(oneSpaced(stdout), "min-inventory: 5") || !strings.Contains(oneSpaced(stdout), "per-unit: 3") || !strings.Contains(oneSpaced(stdout), "wait: 2h0m0s") {
		t.Fatalf("set: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, _ = run(t, getenv, "settings", "get", "--shop", "bells.myshopify.com")
	if code != 0 || !strings.Contains(oneSpaced(stdout), "min-inventory: 5") {
		t.Fatalf("set did not persist: %q", stdout)
	}
	code, _, stderr = run(t, getenv, "settings", "set", "--shop", "bells.myshopify.com", "--min-inventory", "0", "--per-unit", "2")
	if code == 0 || !strings.Contains(stderr, "--min-inventory") {
		t.Fatalf("bad value: exit %d, %q; want an error naming --min-inventory", code, stderr)
	}
	_, stdout, _ = run(t, getenv, "settings", "get", "--shop", "bells.myshopify.com")
	if !strings.Contains(oneSpaced(stdout), "per-unit: 3") {
		t.Fatalf("a refused update changed settings: %q", stdout)
	}
	code, stdout, _ = run(t, getenv, "shop", "list")
	if code != 0 || !strings.Contains(stdout, "bells.myshopify.com") || !strings.Contains(stdout, "1 shop(s)") {
		t.Fatalf("shop list: %q", stdout)
	}
}

func TestPlatformSettings(t *testing.T) {
	cfg, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_FEED_MAX_BYTES": "5MB", "STOCKBELL_PUBLIC_URL": "https://app.example/",
		"BIGCOMMERCE_CLIENT_ID": "id", "BIGCOMMERCE_CLIENT_SECRET": "secret", "STOCKBELL_BIGCOMMERCE_APP_ID": " 4242 "}))
	if err != nil {
		t.Fatal(err)
	}
	bc := cfg.BigCommerce
	if cfg.FeedMaxBytes != 5<<20 || bc.LoginURL != "https://login.bigcommerce.com" || bc.APIURL != "https://api.bigcommerce.com" ||
		bc.AppURL != "https://app.example" || bc.AppID != "4242" || !bc.Enabled() {
		t.Fatalf("settings = %d %+v", cfg.FeedMaxBytes, bc)
	}
	cfg, err = LoadConfig(testEnv(t, nil))
	if err != nil || cfg.FeedMaxBytes != 200<<20 || cfg.BigCommerce.Enabled() {
		t.Fatalf("defaults = %d %+v %v", cfg.FeedMaxBytes, cfg.BigCommerce, err)
	}
}

func TestReceiptRetentionSetting(t *testing.T) {
	cfg, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_RECEIPT_RETENTION": "720h"}))
	if err != nil || cfg.ReceiptRetention != 30*24*time.Hour {
		t.Fatalf("retention = %v, %v; want 720h", cfg.ReceiptRetention, err)
	}
	cfg, err = LoadConfig(testEnv(t, nil))
	if err != nil || cfg.ReceiptRetention != stockbell.DefaultReceiptRetention {
		t.Fatalf("default retention = %v, %v; want %v", cfg.ReceiptRetention, err, stockbell.DefaultReceiptRetention)
	}
}

// TestHelpNamesEveryEnvironmentVariable: the top-level help says where the
// configuration comes from; every variable the configuration reads (each
// getenv("…") in config*.go) is named there, or its family (STOCKBELL_*,
// SHOPIFY_*, BIGCOMMERCE_*).
func TestHelpNamesEveryEnvironmentVariable(t *testing.T) {
	_, help, _ := run(t, testEnv(t, nil), "--help")
	files, err := filepath.Glob("config*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no configuration sources: %v", err)
	}
	read := regexp.MustCompile(`getenv\("([A-Z_]+)"\)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			name, family := m[1], strings.SplitAfter(m[1], "_")[0]+"*"
			if !strings.Contains(help, name) && !strings.Contains(help, family) {
				t.Errorf("%s reads %s, which the help does not name", f, name)
			}
		}
	}
}
