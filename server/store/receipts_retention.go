package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// MaxReceiptSweep is the most receipts one DeleteProcessedReceipts
// statement deletes: enough that a sweep of a busy day's receipts takes
// few statements, few enough that each holds SQLite's write lock (and its
// group-commit turn) only for milliseconds.
const MaxReceiptSweep = 5000

// DeleteProcessedReceipts deletes up to limit receipts processed before
// processedBefore, oldest first, in one statement that finds them through
// the webhook_receipts_processed index (on SQLite in a group transaction,
// see inWriteTx). A pending receipt has no processed_at and is never
// deleted. Returns EINVALID for a limit outside 1..MaxReceiptSweep.
func (db *DB) DeleteProcessedReceipts(ctx context.Context, processedBefore time.Time, limit int) (int, error) {
	if limit <= 0 || limit > MaxReceiptSweep {
		return 0, stockbell.FieldErrorf("limit", "a sweep deletes 1 to %d receipts at a time, got %d", MaxReceiptSweep, limit)
	}
	var deleted int64
	err := db.inWriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM webhook_receipts WHERE `+sweptIDs(tx.db.Dialect)),
			processedBefore.UTC(), limit)
		if err != nil {
			return err
		}
		deleted, err = res.RowsAffected()
		return err
	})
	return int(deleted), err
}

// sweptIDs is the sweep's condition on the receipts' ids. On PostgreSQL
// the ids are read into an array first: with "id IN (subquery)" the planner
// joins the subquery's ids to a scan of the whole table.
func sweptIDs(dialect Dialect) string {
	pick := `SELECT id FROM webhook_receipts WHERE processed_at IS NOT NULL AND processed_at < ? ORDER BY processed_at LIMIT ?`
	if dialect == Postgres {
		return `id = ANY(ARRAY(` + pick + `))`
	}
	return `id IN (` + pick + `)`
}
