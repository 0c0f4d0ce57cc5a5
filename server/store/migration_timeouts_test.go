package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// roleTimeout is what an operator set on the role the server connects as,
// for each of PostgreSQL's timeouts that can end a migration half-way.
const roleTimeout = "2s"

// longMigration takes longer than roleTimeout in one statement, and keeps
// the migration lock's transaction idle for as long; then it records the
// timeouts its own transaction ran under.
const longMigration = `-- +goose Up
SELECT pg_sleep(3);
CREATE TABLE migration_timeouts AS SELECT current_setting('statement_timeout') AS statement_timeout,
	current_setting('lock_timeout') AS lock_timeout,
	current_setting('idle_in_transaction_session_timeout') AS idle_in_transaction_session_timeout;
-- +goose Down
DROP TABLE migration_timeouts;
`

// TestMigrationOutlastsTheRoleTimeouts: an operator set
// statement_timeout, lock_timeout and idle_in_transaction_session_timeout
// on the role the server connects as. A migration that runs longer than
// them (an index built on a big table, say) still completes, and the
// migration lock's transaction, idle while the migrations run on other
// connections, is not ended under them: it holds the lock to the end.
func TestMigrationOutlastsTheRoleTimeouts(t *testing.T) {
	dbURL := roleWithTimeouts(t, storetest.FreshPostgresURL(t))
	db, observer := openStore(t, dbURL), openObserver(t, dbURL)

	var holders []lockHolder
	err := db.WithMigrationLock(ctx, store.MigrationLock{}, func(ctx context.Context, migrator *store.Conn) error {
		provider, err := migrator.MigrationsFrom(withLongMigration(t))
		if err != nil {
			return err
		}
		if _, err := provider.Up(ctx); err != nil {
			return err
		}
		holders = migrationLockHolders(t, observer)
		return nil
	})
	if err != nil {
		t.Fatalf("migrating under the role's %s timeouts: %v", roleTimeout, err)
	}
	if len(holders) != 1 {
		t.Fatalf("after the long migration %d connections held the migration lock, want 1", len(holders))
	}
	var statement, lock, idle string
	must(t, db.DB.QueryRowContext(ctx, `SELECT * FROM migration_timeouts`).Scan(&statement, &lock, &idle))
	if statement != "0" || lock != "0" || idle != "0" {
		t.Fatalf("the migration ran with statement_timeout %s, lock_timeout %s, idle_in_transaction_session_timeout %s; want 0 each",
			statement, lock, idle)
	}
}

// withLongMigration is the shipped PostgreSQL migrations and longMigration
// after them.
func withLongMigration(t *testing.T) fs.FS {
	t.Helper()
	fsys := shippedMigrations(t, store.Postgres)
	fsys["9990_long.sql"] = &fstest.MapFile{Data: []byte(longMigration)}
	return fsys
}

// roleWithTimeouts creates a login role of the test's own with every
// timeout at roleTimeout, makes it the owner of dbURL's database, and
// returns the URL that connects to it as that role. The role and the
// database are dropped when the test ends; nothing else's settings change.
func roleWithTimeouts(t *testing.T, dbURL string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dbURL)
	must(t, err)
	defer admin.Close()
	role := "stockbell_timeouts_" + randomSuffix()
	u, err := url.Parse(dbURL)
	must(t, err)
	database := strings.TrimPrefix(u.Path, "/")
	for _, stmt := range []string{
		"CREATE ROLE " + role + " LOGIN",
		"ALTER ROLE " + role + " SET statement_timeout = '" + roleTimeout + "'",
		"ALTER ROLE " + role + " SET lock_timeout = '" + roleTimeout + "'",
		"ALTER ROLE " + role + " SET idle_in_transaction_session_timeout = '" + roleTimeout + "'",
		"ALTER DATABASE " + database + " OWNER TO " + role,
	} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() { dropRole(t, os.Getenv(storetest.PostgresEnv), database, role) })
	u.User = url.User(role)
	return u.String()
}

// dropRole drops the database the role owns, then the role.
func dropRole(t *testing.T, serverURL, database, role string) {
	admin, err := sql.Open("pgx", serverURL)
	must(t, err)
	defer admin.Close()
	for _, stmt := range []string{"DROP DATABASE IF EXISTS " + database + " WITH (FORCE)", "DROP ROLE IF EXISTS " + role} {
		if _, err := admin.ExecContext(context.Background(), stmt); err != nil {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
