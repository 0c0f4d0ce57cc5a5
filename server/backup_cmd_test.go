package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
)

// TestBackupCopiesARunningSQLiteDatabase makes an API key while the server
// runs, so that it sits in the write-ahead log, backs the database up with
// `stockbell backup`, and finds the key in the copy: a copy of the
// database file alone would miss it.
func TestBackupCopiesARunningSQLiteDatabase(t *testing.T) {
	getenv := testEnv(t, nil)
	startServer(t, getenv)
	if code, _, stderr := run(t, getenv, "apikey", "create", "--shop", "demo.stockbell.localhost", "--name", "before the backup"); code != 0 {
		t.Fatalf("apikey create: %d %s", code, stderr)
	}
	to := filepath.Join(t.TempDir(), "backup.db")
	code, stdout, stderr := run(t, getenv, "backup", "--to", to)
	if code != 0 || !strings.Contains(stdout, to) {
		t.Fatalf("backup: exit %d, %q %q", code, stdout, stderr)
	}
	conn, err := store.Connect(context.Background(), to)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var keys int
	if err := conn.DB.Get(&keys, `SELECT COUNT(*) FROM api_keys WHERE name = 'before the backup'`); err != nil || keys != 1 {
		t.Fatalf("the backup holds %d keys made before it (%v), want 1", keys, err)
	}
	if info, err := os.Stat(to); err != nil || info.Mode().Perm()&0o077 != 0 {
		t.Fatalf("the backup holds shoppers' contacts: want it readable by its owner only, got %v %v", info.Mode(), err)
	}

	if code, _, stderr := run(t, getenv, "backup", "--to", to); code != 1 || !strings.Contains(stderr, "exists") {
		t.Fatalf("a backup over an existing file: want exit 1 saying it exists, got %d %q", code, stderr)
	}
	if code, _, _ := run(t, getenv, "backup"); code != 2 {
		t.Fatalf("backup without --to: want a usage error (2), got %d", code)
	}
}

// TestBackupOnPostgresPointsToPgDump checks that backup refuses a
// PostgreSQL database, naming the tool to use instead.
func TestBackupOnPostgresPointsToPgDump(t *testing.T) {
	getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": "postgres://nobody@127.0.0.1:1/x?sslmode=disable"})
	code, _, stderr := run(t, getenv, "backup", "--to", filepath.Join(t.TempDir(), "b.db"))
	if code != 1 || !strings.Contains(stderr, "pg_dump") {
		t.Fatalf("want exit 1 naming pg_dump, got %d %q", code, stderr)
	}
}

// TestBackupErrorsNameTo: a --to the copy cannot be written to (a file
// that exists, a directory that does not) is refused naming --to, and
// leaves no file behind.
func TestBackupErrorsNameTo(t *testing.T) {
	getenv := testEnv(t, nil)
	if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	dir := t.TempDir()
	exists := filepath.Join(dir, "exists.db")
	if err := os.WriteFile(exists, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missingDir := filepath.Join(dir, "no-such-dir", "b.db")
	for _, to := range []string{exists, missingDir} {
		code, _, stderr := run(t, getenv, "backup", "--to", to)
		if code != 1 || !strings.HasPrefix(stderr, "error: --to: ") || !strings.Contains(stderr, to) {
			t.Errorf("backup --to %s: want exit 1 and an error naming --to and the file, got %d %q", to, code, stderr)
		}
	}
	// A directory that does not exist is named, with what to do.
	_, _, stderr := run(t, getenv, "backup", "--to", missingDir)
	if want := filepath.Dir(missingDir) + " does not exist: create it"; !strings.Contains(stderr, want) {
		t.Errorf("backup into a missing directory said %q, want it to say %q", stderr, want)
	}
	if _, err := os.Stat(filepath.Dir(missingDir)); !os.IsNotExist(err) {
		t.Errorf("backup made %s: %v", filepath.Dir(missingDir), err)
	}
}
