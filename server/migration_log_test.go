package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestStartLogsTheMigrationsItApplied: the process that migrates a
// database logs that it did, from which schema version to which, so an
// operator reading a rollout's logs sees which replica migrated; a second
// start on the same schema logs no migration.
func TestStartLogsTheMigrationsItApplied(t *testing.T) {
	for dialect, dbURL := range emptyDatabaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			first := migrateLogging(t, dbURL)
			line := logLineWith(first, "database migrated")
			if line == "" || !strings.Contains(line, "from_version=0") || !strings.Contains(line, "to_version=") {
				t.Fatalf("migrating an empty database logged no line saying it migrated, from version 0 to which:\n%s", first)
			}
			if again := migrateLogging(t, dbURL); strings.Contains(again, "database migrated") {
				t.Errorf("a start on a migrated database logged a migration:\n%s", again)
			}
		})
	}
}

// TestWaitForTheMigrationLockEndsWithALine: a replica that logged, as a
// warning, that it waits for another's migrations logs when that wait
// ended and how long it took, so the warning an operator may alert on is
// followed by its resolution rather than by silence.
func TestWaitForTheMigrationLockEndsWithALine(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	dbURL := storetest.FreshPostgresURL(t)
	_, release := holdMigrationLockElsewhere(t, dbURL, "replica-migrating")
	logs := &syncBuffer{}
	done := make(chan error, 1)
	conn, err := store.Connect(bg(), dbURL)
	noErr(t, err)
	defer conn.Close()
	go func() {
		done <- migrate(bg(), conn, &Config{DatabaseURL: dbURL}, slog.New(slog.NewTextHandler(logs, nil)), untold)
	}()
	waitForCondition(t, 30*time.Second, func() bool { return strings.Contains(logs.String(), "waiting for the migration lock") })
	release()
	noErr(t, <-done)
	line := logLineWith(logs.String(), "took the migration lock")
	if line == "" || !strings.Contains(line, "waited=") {
		t.Fatalf("the wait for the migration lock ended without a line saying so and how long it took:\n%s", logs.String())
	}
}

// migrateLogging migrates dbURL as a starting server does and returns
// what it logged.
func migrateLogging(t *testing.T, dbURL string) string {
	t.Helper()
	conn, err := store.Connect(bg(), dbURL)
	noErr(t, err)
	defer conn.Close()
	var logs bytes.Buffer
	noErr(t, migrate(bg(), conn, &Config{DatabaseURL: dbURL}, slog.New(slog.NewTextHandler(&logs, nil)), untold))
	return logs.String()
}

func logLineWith(logs, text string) string {
	for line := range strings.Lines(logs) {
		if strings.Contains(line, text) {
			return line
		}
	}
	return ""
}
