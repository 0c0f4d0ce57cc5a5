package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// migrationLockID is the PostgreSQL advisory lock that serialises schema
// migrations, so that replicas starting together wait for one another.
const migrationLockID = 7_263_540_118

// DefaultMigrationLockWait is how long a process waits for the migration
// lock another one holds before it gives up. The holder is normally a
// replica applying migrations, and one that builds an index on or rewrites
// a table of tens of millions of rows takes minutes: this leaves several
// times that, and still ends a wait for a holder that never lets go (a
// process hung mid-migration) with an error naming it.
const DefaultMigrationLockWait = 15 * time.Minute

// migrationLockReportEvery is how often a wait for the migration lock says
// who holds it.
const migrationLockReportEvery = 10 * time.Second

// untimedTransaction turns off, for the rest of its transaction, the
// timeouts an operator may have set on the role or the database: a
// migration that outlasts statement_timeout or lock_timeout would be
// cancelled half-way, and the migration lock's transaction, idle while the
// migrations run, would be ended by idle_in_transaction_session_timeout,
// letting another replica migrate at the same time. set_config(…, true) is
// SET LOCAL, which a pooler in transaction mode keeps to its transaction.
const untimedTransaction = `SELECT set_config('statement_timeout', '0', true), set_config('lock_timeout', '0', true),
	set_config('idle_in_transaction_session_timeout', '0', true)`

// ErrMigrationLockHeld is the error WithMigrationLock fails with when
// another process held the lock for all of the wait.
var ErrMigrationLockHeld = errors.New("another process holds the migration lock")

// MigrationLock says how WithMigrationLock waits on PostgreSQL for the
// lock while another process holds it.
type MigrationLock struct {
	// Wait bounds the wait, after which WithMigrationLock fails naming the
	// holder; zero is DefaultMigrationLockWait.
	Wait time.Duration
	// Waiting, when set, is told who holds the lock when the wait starts
	// and every 10 seconds after, with how long it has waited.
	Waiting func(holder MigrationLockHolder, waited time.Duration)
}

func (l MigrationLock) wait() time.Duration {
	if l.Wait <= 0 {
		return DefaultMigrationLockWait
	}
	return l.Wait
}

// MigrationLockHolder is the PostgreSQL backend that holds the migration
// lock, as pg_stat_activity shows it. Application and Client are empty
// when the holder did not set them (a local socket has no client address)
// or when this role may not see them (pg_read_all_stats may).
type MigrationLockHolder struct {
	PID         int
	Application string
	Client      string
	// Since is when the holder's transaction began (its session, for a
	// session lock an older build took): it took the lock then or later.
	Since time.Time
}

// String names the holder for a log line or an error.
func (h MigrationLockHolder) String() string {
	return fmt.Sprintf("PostgreSQL backend pid %d (application_name %q, client %s, holding it since %s at the earliest)",
		h.PID, h.Application, orUnknown(h.Client), h.Since.UTC().Format(time.RFC3339))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// WithMigrationLock runs fn while holding the migration lock, giving it
// the connection to migrate through. On PostgreSQL the lock is a
// transaction advisory lock, taken by a transaction that stays open while
// fn runs and ends after it (or with its connection, if the process dies),
// and fn's connection is a pool of its own whose every transaction runs
// without the role's or database's timeouts (see untimedTransaction).
// Not a session lock: behind a pooler in transaction mode (PgBouncer) the
// statement that took a session lock and the one that released it could
// run on two server connections, leaving the lock held by the first for as
// long as the pooler kept it, with every replica started later waiting for
// it; an open transaction keeps its server connection until it ends. While
// another process holds the lock, the wait is reported and bounded as lock
// says.
//
// SQLite has no lock a process can hold while its own pool migrates: each
// migration's transaction is serialised by the file's write lock, but two
// processes starting together may both read the same version and try the
// same migration, and the second fails once the first committed it. fn is
// then run again: it reads the version anew and applies what is left. Each
// clash means the other process moved on, so this ends; a migration that
// fails for another reason fails every time and its error is returned.
func (c *Conn) WithMigrationLock(ctx context.Context, lock MigrationLock, fn func(ctx context.Context, migrator *Conn) error) error {
	if c.Dialect != Postgres {
		return c.retryClashingMigrations(ctx, fn)
	}
	tx, err := c.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer tx.Rollback() // ends the lock; after a commit, a no-op
	if err := takeMigrationLock(ctx, tx, lock); err != nil {
		return err
	}
	if err := c.withMigrator(ctx, fn); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}

// retryClashingMigrations runs fn on SQLite until it succeeds or fails
// for a reason other than a clash (see WithMigrationLock).
func (c *Conn) retryClashingMigrations(ctx context.Context, fn func(ctx context.Context, migrator *Conn) error) error {
	var err error
	for range maxMigrationRuns {
		if err = fn(ctx, c); err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// takeMigrationLock takes the lock in tx at once when it is free, and
// otherwise waits for it in spans of migrationLockReportEvery, reporting
// the holder before each, until lock's wait is over.
func takeMigrationLock(ctx context.Context, tx *sql.Tx, lock MigrationLock) error {
	if _, err := tx.ExecContext(ctx, untimedTransaction); err != nil {
		return wrapLockErr(err)
	}
	var taken bool
	err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`, migrationLockID).Scan(&taken)
	if err != nil || taken {
		return wrapLockErr(err)
	}
	start := time.Now()
	for {
		holder, err := findMigrationLockHolder(ctx, tx)
		if err != nil {
			return wrapLockErr(err)
		}
		waited := time.Since(start)
		left := lock.wait() - waited
		if holder.PID == 0 { // let go meanwhile: one more try, however short
			left = max(left, time.Millisecond)
		} else if left <= 0 {
			return fmt.Errorf("%w: waited %s for it, the limit; it is held by %s", ErrMigrationLockHeld, lock.wait(), holder)
		} else if lock.Waiting != nil {
			lock.Waiting(holder, waited)
		}
		if taken, err := waitForMigrationLock(ctx, tx, min(left, migrationLockReportEvery)); err != nil || taken {
			return wrapLockErr(err)
		}
	}
}

func wrapLockErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("take migration lock: %w", err)
}

// waitForMigrationLock waits up to d for the lock in tx, and reports
// whether it took it. A wait that runs out (lock_timeout) is rolled back
// to a savepoint, which leaves tx usable for the next one.
func waitForMigrationLock(ctx context.Context, tx *sql.Tx, d time.Duration) (bool, error) {
	timeout := strconv.FormatInt(max(d.Milliseconds(), 1), 10) // 0 would wait for ever
	if _, err := tx.ExecContext(ctx, `SELECT set_config('lock_timeout', $1, true)`, timeout); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT migration_lock_wait`); err != nil {
		return false, err
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockID)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
		_, err = tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT migration_lock_wait`)
		return false, err
	}
	if err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `SELECT set_config('lock_timeout', '0', true)`)
	return err == nil, err
}

// findMigrationLockHolder returns the backend holding the migration lock
// in this database; a zero holder when it let go meanwhile.
func findMigrationLockHolder(ctx context.Context, tx *sql.Tx) (MigrationLockHolder, error) {
	var h MigrationLockHolder
	err := tx.QueryRowContext(ctx, `SELECT a.pid, COALESCE(a.application_name, ''), COALESCE(host(a.client_addr), ''),
			COALESCE(a.xact_start, a.backend_start)
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`, int64(migrationLockID)).
		Scan(&h.PID, &h.Application, &h.Client, &h.Since)
	if errors.Is(err, sql.ErrNoRows) {
		return MigrationLockHolder{}, nil
	}
	return h, err
}
