package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	stockbell "github.com/stockbell/stockbell"
)

// Tx is one transaction. Exported store methods open exactly one; the
// lowercase helpers take a *Tx so that they compose inside it. A read on
// PostgreSQL runs without an explicit transaction (see inReadTx): then
// sqlTx is nil and the statements go to the pool.
type Tx struct {
	queryer
	sqlTx *sqlx.Tx
	db    *DB
	// pendingJobs, when not nil, gathers the jobs inserted without options
	// so that a group transaction inserts them in one statement.
	pendingJobs []stockbell.JobArgs
	// shopsChanged is set by statements that change shops; the shop cache
	// is cleared once the transaction commits.
	shopsChanged bool
	// catalogChanged is set by statements that change products or
	// variants; the sold-out variants cached for sign-ups are forgotten
	// once the transaction commits.
	catalogChanged bool
}

// queryer is what the helpers run statements on: a *sqlx.Tx or, for
// reads outside a transaction, the *sqlx.DB.
type queryer interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// BeginTx starts a transaction.
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := db.DB.BeginTxx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{queryer: tx, sqlTx: tx, db: db}, nil
}

// Commit commits the transaction.
func (tx *Tx) Commit() error { return tx.sqlTx.Commit() }

// Rollback rolls the transaction back; after Commit it does nothing.
func (tx *Tx) Rollback() error { return tx.sqlTx.Rollback() }

// inTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	err = tx.Commit()
	// The caches are cleared after a failed commit too: it may have
	// committed. A shop deleted takes its variants with it.
	if tx.shopsChanged || tx.catalogChanged {
		db.shops.soldOut.clear()
	}
	if tx.shopsChanged {
		db.shops.clear()
		db.shops.origins.clear()
	}
	return err
}

// inReadTx runs fn, which only reads. On SQLite it runs in a read-only
// transaction, which begins deferred rather than immediate (readers do not
// queue behind the single writer) and gives fn one consistent snapshot. On
// PostgreSQL it runs on the pool without BEGIN and COMMIT: at READ
// COMMITTED each statement takes its own snapshot inside a transaction
// too, so the transaction would only add two round trips.
func (db *DB) inReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.Dialect == Postgres {
		return fn(&Tx{queryer: db.DB, db: db})
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// inRead runs fn, whose statements each stand alone (one read, or
// fallbacks tried one after another), on the pool without BEGIN and
// COMMIT, on both databases: a statement outside a transaction reads a
// consistent snapshot of its own, and a transaction around it would only
// add work (on SQLite, two more statements and a connection held between
// them; the hot paths' lookups of a variant or shop are such reads).
func (db *DB) inRead(fn func(tx *Tx) error) error {
	return fn(&Tx{queryer: db.DB, db: db})
}

// insertJob inserts a durable job in the transaction.
func (tx *Tx) insertJob(ctx context.Context, args stockbell.JobArgs, opts *stockbell.JobOptions) error {
	if tx.db.Queue == nil {
		return fmt.Errorf("store: no job queue configured to insert %s", args.Kind())
	}
	if tx.sqlTx == nil {
		return fmt.Errorf("store: %s job inserted outside a transaction", args.Kind())
	}
	if tx.pendingJobs != nil && opts == nil {
		tx.pendingJobs = append(tx.pendingJobs, args)
		return nil
	}
	return tx.db.Queue.InsertTx(ctx, tx.sqlTx.Tx, args, opts)
}

// insertID runs an INSERT and returns the new row's id. PostgreSQL needs
// RETURNING; SQLite (3.35+) supports it too, so one text serves both.
func (tx *Tx) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRowxContext(ctx, tx.Rebind(query+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// EventDetail is the JSON detail of an activity event.
type EventDetail map[string]any

// insertEvent records an activity event in the transaction, with the
// outbound webhooks that report it (queueWebhooks).
func (tx *Tx) insertEvent(ctx context.Context, e stockbell.Event, detail EventDetail) error {
	_, err := tx.insertEventID(ctx, e, detail)
	return err
}

// insertEventID is insertEvent returning the event's id.
func (tx *Tx) insertEventID(ctx context.Context, e stockbell.Event, detail EventDetail) (int64, error) {
	if detail == nil {
		detail = EventDetail{}
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		return 0, err
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = tx.db.now()
	}
	id, err := tx.insertID(ctx, `INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, e.ShopID, e.Kind, e.VariantID, e.SubscriptionID, string(raw), e.CreatedAt)
	if err != nil {
		return 0, err
	}
	return id, queueWebhooks(ctx, tx, e.ShopID, []reportedEvent{{Kind: e.Kind, VariantID: e.VariantID, SubscriptionID: e.SubscriptionID,
		Detail: detail, At: e.CreatedAt}})
}

// notFound turns sql.ErrNoRows into an ENOTFOUND error naming the thing.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return stockbell.Errorf(stockbell.ENOTFOUND, format, args...)
	}
	return err
}

// isUniqueViolation reports whether err is a unique-constraint failure on
// either database.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || // SQLite
		strings.Contains(msg, "duplicate key value violates unique constraint") // PostgreSQL
}

// isForeignKeyViolation reports whether err is a foreign-key failure on
// either database.
func isForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "FOREIGN KEY constraint failed") || // SQLite
		strings.Contains(msg, "violates foreign key constraint") // PostgreSQL
}

// page returns the LIMIT/OFFSET clause for a filter, defaulting to 100 rows.
func page(offset, limit int) string {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	if offset < 0 {
		offset = 0
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
}
