package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// BackupTo writes a consistent copy of a SQLite database to path, a file
// that must not exist yet, while the server keeps reading and writing it:
// VACUUM INTO copies the database as one read transaction sees it,
// write-ahead log included, which a copy of the database file alone would
// miss. The copy holds shoppers' contacts, so it is readable by its owner
// only. PostgreSQL has its own tools (pg_dump).
func (c *Conn) BackupTo(ctx context.Context, path string) error {
	if c.Dialect != SQLite {
		return fmt.Errorf("backup: VACUUM INTO is SQLite's, and this database is %s", c.Dialect)
	}
	// VACUUM INTO writes into an empty file: creating it first refuses an
	// existing one and sets its mode.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists: give a file that does not", path)
	} else if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: the directory %s does not exist: create it, or give a file in one that does", path, filepath.Dir(path))
	} else if err != nil {
		return err
	}
	f.Close()
	if _, err := c.DB.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	return nil
}
