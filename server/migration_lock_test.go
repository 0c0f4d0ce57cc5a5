package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestStartGivesUpOnAMigrationLockHeldElsewhere: another process holds
// the migration lock (a replica migrating, or one hung while it did). A
// server starting on the database logs who holds it while it waits, and
// once STOCKBELL_MIGRATION_LOCK_WAIT has passed exits 1 with a line
// naming the holder, the limit and the setting.
func TestStartGivesUpOnAMigrationLockHeldElsewhere(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	dbURL := storetest.FreshPostgresURL(t)
	pid, _ := holdMigrationLockElsewhere(t, dbURL, "replica-migrating")
	for _, command := range []string{"serve", "migrate"} {
		code, _, stderr := run(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL, "STOCKBELL_MIGRATION_LOCK_WAIT": "500ms"}), command)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 1 || len(lines) < 2 {
			t.Fatalf("%s: exit %d, %q; want exit 1 after logging the wait", command, code, stderr)
		}
		holder := fmt.Sprintf("pid %d", pid)
		if log := lines[0]; !strings.Contains(log, "migration lock") || !strings.Contains(log, holder) || !strings.Contains(log, "replica-migrating") {
			t.Errorf("%s: the first line does not say who holds the migration lock (%s of replica-migrating): %q", command, holder, log)
		}
		last := lines[len(lines)-1]
		for _, want := range []string{holder, "replica-migrating", "500ms", "STOCKBELL_MIGRATION_LOCK_WAIT"} {
			if !strings.Contains(last, want) {
				t.Errorf("%s: the error does not say %s: %q", command, want, last)
			}
		}
	}
}

// holdMigrationLockElsewhere holds the migration lock, on a connection
// named application, as a replica migrating does, until release is called
// or the test ends, and returns that connection's backend pid.
func holdMigrationLockElsewhere(t *testing.T, dbURL, application string) (pid int, release func()) {
	t.Helper()
	conn, err := store.Connect(context.Background(), storetest.NamedURL(t, dbURL, application))
	noErr(t, err)
	// released holds one result so that a failure to take the lock, read
	// below, can be put back for the cleanup's release to read again.
	holding, done, released := make(chan int), make(chan struct{}), make(chan error, 1)
	go func() {
		released <- conn.WithMigrationLock(context.Background(), store.MigrationLock{}, func(ctx context.Context, _ *store.Conn) error {
			var pid int
			if err := conn.DB.GetContext(ctx, &pid, `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`, application); err != nil {
				return err
			}
			holding <- pid
			<-done
			return nil
		})
	}()
	release = sync.OnceFunc(func() {
		close(done)
		noErr(t, <-released)
		conn.Close()
	})
	t.Cleanup(release)
	select {
	case pid := <-holding:
		return pid, release
	case err := <-released:
		released <- err
		t.Fatalf("holding the migration lock: %v", err)
	}
	return 0, nil
}
