package main

import (
	"fmt"

	"github.com/stockbell/stockbell/server/store"
)

// backupSynopsis is what `stockbell backup --help` prints above the flags.
const backupSynopsis = "backup --to FILE\n\nWrites a consistent copy of the SQLite database to FILE, which must not exist, while the server runs.\n" +
	"Restore it with the server stopped (see README.md, Backups). On PostgreSQL use pg_dump."

func runBackup(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "backup", backupSynopsis)
	to := fs.String("to", "", "the file to write the copy to; it must not exist (required)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "to"); err != nil {
		return err
	}
	cfg, err := readConfig(env.getenv, publicURLUnused)
	if err != nil {
		return err
	}
	if store.FilePath(cfg.DatabaseURL) == "" {
		return fmt.Errorf("backup copies a SQLite database, and STOCKBELL_DATABASE_URL names PostgreSQL: use pg_dump")
	}
	conn, err := openExisting(env.ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	// What stops the copy is about the file it is written to (there, or
	// not writable), so the error names the flag that gave it.
	if err := conn.BackupTo(env.ctx, *to); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	fmt.Fprintf(env.stdout, "backed up %s to %s\n", conn.Path(), *to)
	return nil
}
