package store_test

import (
	"context"
	"database/sql"
	"testing"

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
	db, err := store.Open(ctx, dbURL)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	observer, err := sql.Open("pgx", dbURL)
	must(t, err)
	t.Cleanup(func() { observer.Close() })

	var during []lockHolder
	must(t, db.WithMigrationLock(ctx, func(ctx context.Context) error {
		during = migrationLockHolders(t, observer)
		return db.Migrate(ctx)
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
