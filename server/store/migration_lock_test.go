package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestMigrationLockEndsWithItsTransaction: on PostgreSQL the migration lock
// is taken inside a transaction and ends with it. A pooler in transaction
// mode (PgBouncer, which docs/scaling.md suggests in front of many
// replicas) gives each statement outside a transaction whichever server
// connection is free: a session lock taken by one statement and released by
// another stayed held by the server connection that took it, which the
// pooler kept open, and every replica started after that waited for it.
func TestMigrationLockEndsWithItsTransaction(t *testing.T) {
	dbURL := storetest.FreshPostgresURL(t)
	db, observer := openStore(t, dbURL), openObserver(t, dbURL)

	var during []lockHolder
	must(t, db.WithMigrationLock(ctx, store.MigrationLock{}, func(ctx context.Context, migrator *store.Conn) error {
		during = migrationLockHolders(t, observer)
		return migrator.Migrate(ctx)
	}))
	if len(during) != 1 {
		t.Fatalf("while migrating, %d connections held the migration lock, want 1", len(during))
	}
	if !during[0].inTransaction {
		t.Fatalf("the migration lock was held by connection %d outside a transaction (a session lock): "+
			"a pooler in transaction mode may release it on another server connection, or never", during[0].pid)
	}
	if after := migrationLockHolders(t, observer); len(after) != 0 {
		t.Fatalf("after migrating, connection %d still holds the migration lock", after[0].pid)
	}
}

type lockHolder struct {
	pid           int
	inTransaction bool
}

// migrationLockHolders lists the backends of this database that hold the
// migration lock, and whether each is inside a transaction.
func migrationLockHolders(t *testing.T, observer *sql.DB) []lockHolder {
	t.Helper()
	rows, err := observer.QueryContext(ctx, `SELECT a.pid, a.xact_start IS NOT NULL
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`, int64(store.MigrationLockID))
	must(t, err)
	defer rows.Close()
	var holders []lockHolder
	for rows.Next() {
		var h lockHolder
		must(t, rows.Scan(&h.pid, &h.inTransaction))
		holders = append(holders, h)
	}
	must(t, rows.Err())
	return holders
}

// holdMigrationLock takes the migration lock in a transaction of a
// connection of its own, named application, as another replica migrating
// would; it returns that backend's pid and the function that lets go.
func holdMigrationLock(t *testing.T, dbURL, application string) (int, func()) {
	t.Helper()
	holder := openObserver(t, storetest.NamedURL(t, dbURL, application))
	tx, err := holder.BeginTx(ctx, nil)
	must(t, err)
	t.Cleanup(func() { tx.Rollback() })
	var pid int
	must(t, tx.QueryRowContext(ctx, `SELECT pg_backend_pid() FROM (SELECT pg_advisory_xact_lock($1)) AS taken`,
		int64(store.MigrationLockID)).Scan(&pid))
	return pid, func() { must(t, tx.Commit()) }
}

// TestMigrationLockWaitGivesUpNamingTheHolder: while another connection
// holds the migration lock, a migration that may wait 300ms for it says
// who holds it as it starts waiting, and gives up with an error naming the
// holder and the limit, without migrating.
func TestMigrationLockWaitGivesUpNamingTheHolder(t *testing.T) {
	dbURL := storetest.FreshPostgresURL(t)
	pid, _ := holdMigrationLock(t, dbURL, "other-replica")
	db := openStore(t, dbURL)

	var reported []store.MigrationLockHolder
	lock := store.MigrationLock{Wait: 300 * time.Millisecond, Waiting: func(h store.MigrationLockHolder, _ time.Duration) {
		reported = append(reported, h)
	}}
	migrated := false
	err := db.WithMigrationLock(ctx, lock, func(context.Context, *store.Conn) error { migrated = true; return nil })
	if err == nil || migrated {
		t.Fatalf("migrated while another connection held the lock (error %v)", err)
	}
	for _, want := range []string{fmt.Sprintf("pid %d", pid), `"other-replica"`, "client 127.0.0.1", "300ms"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %s: %v", want, err)
		}
	}
	if len(reported) == 0 || reported[0].PID != pid || reported[0].Application != "other-replica" {
		t.Fatalf("the wait reported %+v, want the holder, pid %d of other-replica, first", reported, pid)
	}
}

// TestMigrationLockWaitEndsWhenTheHolderLetsGo: a migration waiting for
// the lock takes it as soon as its holder lets go, and migrates.
func TestMigrationLockWaitEndsWhenTheHolderLetsGo(t *testing.T) {
	dbURL := storetest.FreshPostgresURL(t)
	_, letGo := holdMigrationLock(t, dbURL, "other-replica")
	db := openStore(t, dbURL)

	waits := 0
	lock := store.MigrationLock{Waiting: func(store.MigrationLockHolder, time.Duration) {
		if waits++; waits == 1 {
			letGo()
		}
	}}
	must(t, db.WithMigrationLock(ctx, lock, func(ctx context.Context, migrator *store.Conn) error {
		return migrator.Migrate(ctx)
	}))
	if waits != 1 {
		t.Fatalf("the wait was reported %d times, want once (before the holder let go)", waits)
	}
	if version, err := db.SchemaVersion(ctx); err != nil || version == 0 {
		t.Fatalf("schema version %d (%v) after the wait, want migrated", version, err)
	}
}

// openStore opens the store on dbURL until the test ends.
func openStore(t *testing.T, dbURL string) *store.DB {
	t.Helper()
	db, err := store.Open(ctx, dbURL)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// openObserver opens a pool of its own on dbURL until the test ends, to
// look at PostgreSQL from beside the store.
func openObserver(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	observer, err := sql.Open("pgx", dbURL)
	must(t, err)
	t.Cleanup(func() { observer.Close() })
	return observer
}
