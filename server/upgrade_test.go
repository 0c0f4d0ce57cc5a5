package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/migrations"
	"github.com/stockbell/stockbell/server/store"
)

// TestAnOlderBinarySaysTheSchemaIsNewer: a database migrated by a newer
// version of Stockbell (after an upgrade rolled back, say) is not
// downgraded; migrate says so instead of reporting the database migrated
// and exits 3 (0 with --allow-newer-schema, for a rollback meant), and
// serve and the operator commands warn at start, naming both versions.
func TestAnOlderBinarySaysTheSchemaIsNewer(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
			if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
				t.Fatalf("migrate: %s", stderr)
			}
			db, err := store.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.DB.Exec(db.DB.Rebind(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)`), 999999, true)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			// A deploy's migration step run by an older binary fails, with
			// a code of its own, unless the rollback is meant.
			code, stdout, stderr := run(t, getenv, "migrate")
			if code != 3 || strings.Contains(stdout, "database migrated") || !strings.Contains(stderr, "999999") || !strings.Contains(stderr, "newer") ||
				!strings.Contains(stderr, "--allow-newer-schema") {
				t.Errorf("migrate on a newer schema: exit %d, want 3; stdout %q, stderr %q", code, stdout, stderr)
			}
			code, stdout, stderr = run(t, getenv, "migrate", "--allow-newer-schema")
			if code != 0 || strings.Contains(stdout, "database migrated") || !strings.Contains(stderr, "999999") || !strings.Contains(stderr, "newer") {
				t.Errorf("migrate --allow-newer-schema on a newer schema: exit %d, want 0; stdout %q, stderr %q", code, stdout, stderr)
			}
			// The operator commands apply their binary's migrations as
			// serve does, and warn the same way.
			code, stdout, stderr = run(t, getenv, "shop", "list")
			if code != 0 || !strings.Contains(stdout, "0 shop(s)") || !strings.Contains(stderr, "999999") || !strings.Contains(stderr, "newer") {
				t.Errorf("shop list on a newer schema: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			cfg, err := loadConfig(&cliEnv{getenv: getenv})
			if err != nil {
				t.Fatal(err)
			}
			logs := startAndStopLog(t, cfg)
			if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "schema_version=999999") {
				t.Errorf("serve on a newer schema logged:\n%s", logs)
			}
		})
	}
}

// TestUpgradeFromThePreviousSchemaKeepsItsRows: a database at the schema of
// the release before this one (every migration but the newest), holding a
// shop with its settings and a shopper waiting for a variant, is migrated
// forward by `stockbell migrate` as README.md's Upgrades says: the command
// reports the new version, and the shop, its settings and the queued
// subscription are read by the new build as they were.
func TestUpgradeFromThePreviousSchemaKeepsItsRows(t *testing.T) {
	for dialect, dbURL := range emptyDatabaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			shipped := migrateToThePreviousRelease(t, dbURL)
			seedAtThePreviousSchema(t, dbURL)
			getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
			code, stdout, stderr := run(t, getenv, "migrate")
			if want := fmt.Sprintf("schema version %d)", shipped); code != 0 || !strings.Contains(stdout, want) {
				t.Fatalf("migrate from the previous schema: exit %d, stdout %q (want %q), stderr %q", code, stdout, want, stderr)
			}
			code, stdout, stderr = run(t, getenv, "shop", "list")
			if code != 0 || !strings.Contains(stdout, "upgraded.example.com") || !strings.Contains(stdout, "1 shop(s)") {
				t.Errorf("shop list after the upgrade: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			code, stdout, stderr = run(t, getenv, "settings", "get", "--shop", "upgraded.example.com")
			if code != 0 || !strings.Contains(stdout, "per-unit:           4") || !strings.Contains(stdout, "min-inventory:      2") {
				t.Errorf("settings get after the upgrade: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			db, err := store.Open(context.Background(), dbURL)
			noErr(t, err)
			defer db.Close()
			shopID := int64(1)
			subs, _, err := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &shopID, Limit: 10})
			noErr(t, err)
			if len(subs) != 1 || subs[0].Email != "waiting@example.com" || subs[0].Status != stockbell.SubscriptionQueued {
				t.Errorf("subscriptions after the upgrade: %+v", subs)
			}
		})
	}
}

// migrateToThePreviousRelease applies every migration of the dialect but
// the newest, and returns the newest's version.
func migrateToThePreviousRelease(t *testing.T, dbURL string) int64 {
	t.Helper()
	conn, err := store.Connect(context.Background(), dbURL)
	noErr(t, err)
	defer conn.Close()
	fsys, err := migrations.FS(string(conn.Dialect))
	noErr(t, err)
	dialect := goose.DialectSQLite3
	if conn.Dialect == store.Postgres {
		dialect = goose.DialectPostgres
	}
	provider, err := goose.NewProvider(dialect, conn.DB.DB, fsys, goose.WithAllowOutofOrder(true))
	noErr(t, err)
	sources := provider.ListSources()
	if len(sources) < 2 {
		t.Fatalf("%d migrations: no previous release to upgrade from", len(sources))
	}
	previous := sources[len(sources)-2].Version
	_, err = provider.UpTo(context.Background(), previous)
	noErr(t, err)
	if at, err := provider.GetDBVersion(context.Background()); err != nil || at != previous {
		t.Fatalf("the database is at schema version %d (%v), not the previous release's %d: nothing would be upgraded", at, err, previous)
	}
	return sources[len(sources)-1].Version
}

// seedAtThePreviousSchema writes, as the previous release did, a shop with
// its restock settings, a product with a sold-out variant, and a shopper
// queued for it.
func seedAtThePreviousSchema(t *testing.T, dbURL string) {
	t.Helper()
	conn, err := store.Connect(context.Background(), dbURL)
	noErr(t, err)
	defer conn.Close()
	now := time.Now().UTC().Truncate(time.Second)
	for _, statement := range []struct {
		query string
		args  []any
	}{
		{`INSERT INTO shops (id, platform, domain, public_key, status, installed_at, created_at, updated_at)
			VALUES (1, 'feed', 'upgraded.example.com', 'pk_upgraded', 'installed', ?, ?, ?)`, []any{now, now, now}},
		{`INSERT INTO restock_settings (shop_id, min_inventory, per_unit, wait, updated_at) VALUES (1, 2, 4, ?, ?)`,
			[]any{int64(time.Hour), now}},
		{`INSERT INTO products (id, shop_id, platform_id, title, created_at, updated_at) VALUES (1, 1, 'p1', 'Boot', ?, ?)`, []any{now, now}},
		{`INSERT INTO variants (id, shop_id, product_id, platform_id, title, stock, created_at, updated_at)
			VALUES (1, 1, 1, 'v1', '42', 0, ?, ?)`, []any{now, now}},
		{`INSERT INTO subscriptions (shop_id, variant_id, email, channels, status, created_at, updated_at)
			VALUES (1, 1, 'waiting@example.com', 'email', 'queued', ?, ?)`, []any{now, now}},
	} {
		_, err := conn.DB.Exec(conn.DB.Rebind(statement.query), statement.args...)
		noErr(t, err)
	}
}
