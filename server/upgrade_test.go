package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
)

// TestAnOlderBinarySaysTheSchemaIsNewer: a database migrated by a newer
// version of Stockbell (after an upgrade rolled back, say) is not
// downgraded; migrate says so instead of reporting the database migrated,
// and serve and the operator commands warn at start, naming both versions.
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
			code, stdout, stderr := run(t, getenv, "migrate")
			if code != 0 || strings.Contains(stdout, "database migrated") || !strings.Contains(stderr, "999999") || !strings.Contains(stderr, "newer") {
				t.Errorf("migrate on a newer schema: exit %d, stdout %q, stderr %q", code, stdout, stderr)
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
