package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSettingsGetAlignsValues: every value `settings get` prints starts in
// the same column, the longest key's included.
func TestSettingsGetAlignsValues(t *testing.T) {
	getenv := envWithShop(t, "bells.myshopify.com")
	code, stdout, stderr := run(t, getenv, "settings", "get", "--shop", "bells.myshopify.com")
	if code != 0 {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	keysByColumn := map[int][]string{}
	for _, line := range lines {
		key, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(value) == "" {
			t.Fatalf("line %q is not key: value", line)
		}
		column := len(line) - len(strings.TrimLeft(value, " "))
		keysByColumn[column] = append(keysByColumn[column], key)
	}
	if len(keysByColumn) != 1 || len(lines) != 6 {
		t.Errorf("the %d values start in %d columns (keys by column: %v):\n%s", len(lines), len(keysByColumn), keysByColumn, stdout)
	}
}

// envWithShop is a configuration whose migrated database holds one
// Shopify shop of the domain given.
func envWithShop(t *testing.T, domain string) func(string) string {
	t.Helper()
	getenv := testEnv(t, nil)
	cfg, _ := LoadConfig(getenv)
	db, err := store.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrate(context.Background(), db.Conn, cfg.DatabaseURL); err != nil {
		t.Fatal(err)
	}
	storetest.MustShop(t, db, "shopify", domain)
	return getenv
}

// oneSpaced is the output with every run of spaces and newlines as one
// space, so that a value is found beside its key however the columns fall.
func oneSpaced(out string) string { return strings.Join(strings.Fields(out), " ") }
