package store

import (
	"context"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.ReceiptService = (*DB)(nil)

const receiptColumns = `id, platform, shop_id, domain, event_id, topic, payload, triggered_at, received_at, processed_at, attempts`

// RecordReceipt stores the receipt, pending processing, in a group
// transaction shared with concurrent requests' writes (see groupCommit),
// where the batch's receipts are inserted in one statement
// (insertReceipts); it returns once that transaction committed. No job is queued: the receipts'
// drainer claims pending receipts from the table (ClaimReceipts), woken
// through ReceiptsStored. A receipt without a shop id gets the platform's
// shop of its domain within the insert itself, so no lookup of its own
// precedes it and a shop installed or erased a moment before is seen. A
// receipt seen before (same platform, domain and event id) returns
// created=false, inserts nothing, and sets r.ID to the stored receipt. The
// insert uses ON CONFLICT DO NOTHING rather than catching a unique
// violation, which would abort a PostgreSQL transaction. Returns EINVALID
// for an unknown platform or a missing domain, event id or topic.
func (db *DB) RecordReceipt(ctx context.Context, r *stockbell.WebhookReceipt) (created bool, err error) {
	if err := validateReceipt(r); err != nil {
		return false, err
	}
	r.Domain = normalizeDomain(r.Domain)
	err = db.group.doWrite(ctx, receiptGroupWrite(r, &created))
	if err == nil && created {
		db.signalReceipts()
	}
	return created, err
}

// receiptGroupWrite is a validated receipt's part of a group batch: stored
// by the batch's statement or, when that stored none, recordReceipt alone.
// It sets *created.
func receiptGroupWrite(r *stockbell.WebhookReceipt, created *bool) *groupWrite {
	write := &receiptWrite{receipt: r}
	return &groupWrite{receipt: write, fn: func(ctx context.Context, tx *Tx) (err error) {
		if write.shopGone { // answered ENOTFOUND (groupWrite.answer)
			*created = false
			return nil
		}
		if write.inserted {
			*created = true
			return nil
		}
		*created, err = recordReceipt(ctx, tx, r)
		return err
	}}
}

// ReceiptsStored is signalled after this process stored new receipts.
func (db *DB) ReceiptsStored() <-chan struct{} { return db.receiptsStored }

// signalReceipts wakes a drainer waiting for receipts, if one waits; a
// signal already pending is enough.
func (db *DB) signalReceipts() {
	select {
	case db.receiptsStored <- struct{}{}:
	default:
	}
}

func validateReceipt(r *stockbell.WebhookReceipt) error {
	switch {
	case !r.Platform.Valid():
		return stockbell.FieldErrorf("platform", "unknown platform %q", r.Platform)
	case r.Domain == "":
		return stockbell.FieldErrorf("domain", "webhook receipt names no shop domain")
	case r.EventID == "":
		return stockbell.FieldErrorf("event_id", "webhook receipt has no event id")
	case r.Topic == "":
		return stockbell.FieldErrorf("topic", "webhook receipt has no topic")
	}
	return nil
}

func recordReceipt(ctx context.Context, tx *Tx, r *stockbell.WebhookReceipt) (bool, error) {
	prepareReceipt(r, tx.db.now())
	err := tx.QueryRowxContext(ctx, tx.Rebind(`INSERT INTO webhook_receipts (platform, shop_id, domain, event_id, topic,
		payload, triggered_at, received_at)
		VALUES (?, COALESCE(?, (SELECT id FROM shops WHERE platform = ? AND domain = ?)), ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, domain, event_id) DO NOTHING RETURNING id, shop_id`),
		r.Platform, r.ShopID, r.Platform, r.Domain, r.Domain, r.EventID, r.Topic, r.Payload, r.TriggeredAt.UTC(), r.ReceivedAt).
		Scan(&r.ID, &r.ShopID)
	if isNoRows(err) {
		return false, tx.GetContext(ctx, &r.ID, tx.Rebind(`SELECT id FROM webhook_receipts
			WHERE platform = ? AND domain = ? AND event_id = ?`), r.Platform, r.Domain, r.EventID)
	}
	return err == nil, err
}

// FindReceipt returns ENOTFOUND.
func (db *DB) FindReceipt(ctx context.Context, id int64) (*stockbell.WebhookReceipt, error) {
	var r stockbell.WebhookReceipt
	err := db.inRead(func(tx *Tx) error {
		return tx.GetContext(ctx, &r, tx.Rebind(`SELECT `+receiptColumns+` FROM webhook_receipts WHERE id = ?`), id)
	})
	if err != nil {
		return nil, notFound(err, "webhook receipt %d not found", id)
	}
	return &r, nil
}

// MarkReceiptProcessed records that the receipt's work is done; marking it
// again keeps the first time. Returns ENOTFOUND.
func (db *DB) MarkReceiptProcessed(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_receipts SET processed_at = COALESCE(processed_at, ?),
			locked_until = NULL WHERE id = ?`), tx.db.now(), id)
		return mustAffect(res, err, "webhook receipt %d", id)
	})
}

// MaxReceiptClaim is the most receipts one claim takes.
const MaxReceiptClaim = 1000

// ClaimReceipts leases up to limit pending receipts, oldest first: one
// statement that picks them through the webhook_receipts_pending index and
// sets their lease (on SQLite in a group transaction, see inWriteTx). On PostgreSQL the pick skips rows another replica's
// claim has locked (SKIP LOCKED), so concurrent claims take different
// receipts without waiting; SQLite's single writer serialises claims.
// Returns EINVALID for a limit outside 1..MaxReceiptClaim.
func (db *DB) ClaimReceipts(ctx context.Context, limit int, lease time.Duration) ([]*stockbell.WebhookReceipt, error) {
	if limit <= 0 || limit > MaxReceiptClaim {
		return nil, stockbell.FieldErrorf("limit", "a claim takes 1 to %d receipts, got %d", MaxReceiptClaim, limit)
	}
	var receipts []*stockbell.WebhookReceipt
	err := db.inWriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		receipts = []*stockbell.WebhookReceipt{}
		now := tx.db.now()
		lock := ""
		if tx.db.Dialect == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		return tx.SelectContext(ctx, &receipts, tx.Rebind(`UPDATE webhook_receipts SET locked_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM webhook_receipts WHERE processed_at IS NULL AND (locked_until IS NULL OR locked_until <= ?)
				ORDER BY id LIMIT ?`+lock+`)
			RETURNING `+receiptColumns), now.Add(lease), now, limit)
	})
	slices.SortFunc(receipts, func(a, b *stockbell.WebhookReceipt) int { return int(a.ID - b.ID) })
	return receipts, err
}

// ClaimReceipt leases one receipt by id. Returns ENOTFOUND, or ECONFLICT
// when it is processed, leased or waiting for a retry.
func (db *DB) ClaimReceipt(ctx context.Context, id int64, lease time.Duration) (*stockbell.WebhookReceipt, error) {
	var r stockbell.WebhookReceipt
	err := db.inTx(ctx, func(tx *Tx) error {
		now := tx.db.now()
		err := tx.GetContext(ctx, &r, tx.Rebind(`UPDATE webhook_receipts SET locked_until = ?, attempts = attempts + 1
			WHERE id = ? AND processed_at IS NULL AND (locked_until IS NULL OR locked_until <= ?)
			RETURNING `+receiptColumns), now.Add(lease), id, now)
		if !isNoRows(err) {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM webhook_receipts WHERE id = ?`), id); err != nil {
			return err
		}
		if n == 0 {
			return stockbell.Errorf(stockbell.ENOTFOUND, "webhook receipt %d not found", id)
		}
		return stockbell.Errorf(stockbell.ECONFLICT, "webhook receipt %d is processed or claimed", id)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// MarkReceiptsProcessed records that the receipts' work is done, in one
// statement; a receipt marked before keeps its first time, and ids not
// found (erased with their shop) are skipped.
func (db *DB) MarkReceiptsProcessed(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inWriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		for chunk := range slices.Chunk(ids, MaxReceiptClaim) {
			args := []any{tx.db.now()}
			for _, id := range chunk {
				args = append(args, id)
			}
			_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_receipts SET processed_at = COALESCE(processed_at, ?),
				locked_until = NULL WHERE id IN (`+placeholders(len(chunk))+`)`), args...)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// RetryReceipt ends the receipt's lease after a failure: claimable again
// after the delay, with reason kept as its last error. Returns ENOTFOUND.
func (db *DB) RetryReceipt(ctx context.Context, id int64, after time.Duration, reason string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_receipts SET locked_until = ?, last_error = ? WHERE id = ?`),
			tx.db.now().Add(after), reason, id)
		return mustAffect(res, err, "webhook receipt %d", id)
	})
}
