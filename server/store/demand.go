package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	stockbell "github.com/stockbell/stockbell"
)

// batchColumns are the columns of a restock_batches row.
const batchColumns = `id, shop_id, variant_id, everyone, size, stock, claimed, chunks, cutoff, created_at, done_at`

// demandRow is a variant with its queue length and the end of its wait
// between batches.
type demandRow struct {
	stockbell.VariantWithProduct
	Queued       int        `db:"queued"`
	WaitingUntil *time.Time `db:"waiting_until"`
}

// FindDemand returns the shop's variants with queued subscribers, most
// queued first (ties by variant id), with their last restock, last batch
// and wait between batches, and how many such variants there are.
func (db *DB) FindDemand(ctx context.Context, filter stockbell.DemandFilter) ([]*stockbell.VariantDemand, int, error) {
	out := []*stockbell.VariantDemand{}
	var total int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		queue := `(SELECT variant_id, COUNT(*) AS queued FROM subscriptions WHERE shop_id = ? AND status = 'queued' GROUP BY variant_id) q`
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT COUNT(*) FROM `+queue), filter.ShopID); err != nil {
			return err
		}
		var rows []demandRow
		err := tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT `+variantWithProductColumns+`, q.queued, v.waiting_until`+variantWithProductFrom+
			` JOIN `+queue+` ON q.variant_id = v.id ORDER BY q.queued DESC, v.id`+page(filter.Offset, filter.Limit)), filter.ShopID)
		if err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
			out = append(out, &stockbell.VariantDemand{Variant: r.VariantWithProduct, Queued: r.Queued, WaitingUntil: utcPtr(r.WaitingUntil)})
		}
		return readDemandHistory(ctx, tx, ids, out)
	})
	return out, total, err
}

// readDemandHistory fills each variant's last restock (the last stock
// change from zero or less to more) and last batch.
func readDemandHistory(ctx context.Context, tx *Tx, ids []int64, out []*stockbell.VariantDemand) error {
	byID := map[int64]*stockbell.VariantDemand{}
	for _, d := range out {
		byID[d.Variant.ID] = d
	}
	query, args, err := sqlx.In(`SELECT variant_id, MAX(created_at) AS at FROM events WHERE variant_id IN (?) AND kind = ?
		AND `+tx.jsonInt("detail", "old_stock")+` <= 0 AND `+tx.jsonInt("detail", "new_stock")+` > 0 GROUP BY variant_id`,
		ids, stockbell.EventStockChanged)
	if err != nil {
		return err
	}
	var restocks []struct {
		VariantID int64   `db:"variant_id"`
		At        sqlTime `db:"at"`
	}
	if err := tx.SelectContext(ctx, &restocks, tx.Rebind(query), args...); err != nil {
		return err
	}
	for _, r := range restocks {
		t := r.At.Time.UTC()
		byID[r.VariantID].LastRestockAt = &t
	}
	query, args, err = sqlx.In(`SELECT `+batchColumns+` FROM restock_batches WHERE id IN
		(SELECT MAX(id) FROM restock_batches WHERE variant_id IN (?) GROUP BY variant_id)`, ids)
	if err != nil {
		return err
	}
	var batches []*stockbell.RestockBatch
	if err := tx.SelectContext(ctx, &batches, tx.Rebind(query), args...); err != nil {
		return err
	}
	for _, b := range batches {
		byID[b.VariantID].LastBatch = b
	}
	return countLastBatches(ctx, tx, batches, byID)
}

// countLastBatches counts the subscribers each batch notified and those it
// still holds for approval, from their events naming it; a shopper queued
// again after their alert was skipped counts for neither.
func countLastBatches(ctx context.Context, tx *Tx, batches []*stockbell.RestockBatch, byID map[int64]*stockbell.VariantDemand) error {
	if len(batches) == 0 {
		return nil
	}
	ids := make([]int64, len(batches))
	for i, b := range batches {
		ids[i] = b.ID
	}
	query, args, err := sqlx.In(`SELECT e.variant_id, e.kind, COUNT(*) AS n FROM restock_batches b
		JOIN events e ON e.variant_id = b.variant_id AND e.created_at >= b.created_at AND e.kind IN (?, ?)
		WHERE b.id IN (?) AND `+tx.jsonInt("e.detail", "batch_id")+` = b.id
		AND (e.kind = ? OR EXISTS (SELECT 1 FROM subscriptions s WHERE s.id = e.subscription_id AND s.status = ?))
		AND `+tx.notRequeued("e")+`
		GROUP BY e.variant_id, e.kind`, stockbell.EventNotified, stockbell.EventHeld, ids, stockbell.EventNotified, stockbell.SubscriptionHeld)
	if err != nil {
		return err
	}
	var counts []struct {
		VariantID int64               `db:"variant_id"`
		Kind      stockbell.EventKind `db:"kind"`
		N         int                 `db:"n"`
	}
	if err := tx.SelectContext(ctx, &counts, tx.Rebind(query), args...); err != nil {
		return err
	}
	for _, c := range counts {
		if c.Kind == stockbell.EventHeld {
			byID[c.VariantID].LastBatchHeld = c.N
		} else {
			byID[c.VariantID].LastBatchNotified = c.N
		}
	}
	return nil
}

// sqlTime scans a time that an aggregate returns: PostgreSQL gives a
// time.Time, SQLite the stored text.
type sqlTime struct{ Time time.Time }

// Scan implements sql.Scanner.
func (t *sqlTime) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		t.Time = v
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return stockbell.Errorf(stockbell.EINTERNAL, "cannot scan %T as a time", src)
}

func (t *sqlTime) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if parsed, err := time.Parse(layout, s); err == nil {
			t.Time = parsed
			return nil
		}
	}
	return stockbell.Errorf(stockbell.EINTERNAL, "cannot read time %q", s)
}
