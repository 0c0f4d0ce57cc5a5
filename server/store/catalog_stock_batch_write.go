package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// write stores what the batch did: the levels and tombstones written, the
// recomputed stocks, the events and, for each applied change of a variant
// someone is queued for, the restock engine's job (see recordStockChange).
func (b *stockBatch) write(ctx context.Context, tx *Tx) error {
	if len(b.written) > 0 {
		tx.catalogChanged = true
	}
	if err := b.writeLevels(ctx, tx); err != nil {
		return err
	}
	if err := b.writeStocks(ctx, tx); err != nil {
		return err
	}
	if err := b.insertEvents(ctx, tx); err != nil {
		return err
	}
	return b.insertJobs(ctx, tx)
}

// writeLevels upserts, in one statement, the levels and tombstones the
// batch wrote.
func (b *stockBatch) writeLevels(ctx context.Context, tx *Tx) error {
	var variants, available []int64
	var locations, origins []string
	var hasAt, disconnected []bool
	var ats []time.Time
	for _, key := range b.written {
		l := b.levels[key.variantID][key.locationID]
		variants, locations, available = append(variants, key.variantID), append(locations, key.locationID), append(available, int64(l.Available))
		origins, hasAt = append(origins, string(l.Origin)), append(hasAt, l.PlatformUpdatedAt != nil)
		disconnected = append(disconnected, l.Disconnected)
		at := time.Time{}
		if l.PlatformUpdatedAt != nil {
			at = *l.PlatformUpdatedAt
		}
		ats = append(ats, at)
	}
	if len(variants) == 0 {
		return nil
	}
	seqSQL, seqArgs := "nextval('stock_seq')", []any(nil)
	if tx.db.Dialect != Postgres {
		seq, err := tx.nextStockSeq(ctx)
		if err != nil {
			return err
		}
		seqSQL, seqArgs = "?", []any{seq}
	}
	rows := newRowSet("level").int64s("variant_id", variants).texts("location_id", locations).int64s("available", available).
		bools("has_at", hasAt).times("at", ats).texts("origin", origins).bools("disconnected", disconnected)
	return rows.each(tx, func(with string, args []any, _, _ int) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`WITH `+with+` INSERT INTO inventory_levels (`+levelColumns+`)
			SELECT variant_id, location_id, available, CASE WHEN has_at THEN at END, origin, `+seqSQL+`, ?, disconnected FROM level WHERE 1 = 1
			`+levelUpsert), append(append(args, seqArgs...), b.now)...)
		return err
	})
}

// writeStocks stores the recomputed stocks of the applied variants.
func (b *stockBatch) writeStocks(ctx context.Context, tx *Tx) error {
	stocks := make([]int64, len(b.restocked))
	for i, id := range b.restocked {
		stocks[i] = int64(b.variants[id].Stock)
	}
	rows := newRowSet("restocked").int64s("vid", b.restocked).int64s("stock", stocks)
	return rows.each(tx, func(with string, args []any, _, _ int) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`WITH `+with+` UPDATE variants SET stock = restocked.stock, updated_at = ?
			FROM restocked WHERE variants.id = restocked.vid`), append(args, b.now)...)
		return err
	})
}

// insertEvents inserts the batch's events in order. None of their kinds is
// reported to outbound webhooks (stockbell.WebhookEventOf).
func (b *stockBatch) insertEvents(ctx context.Context, tx *Tx) error {
	e := b.events
	rows := newRowSet("event").int64s("shop_id", e.shops).texts("kind", e.kinds).int64s("variant_id", e.variants).texts("detail", e.details)
	return rows.each(tx, func(with string, args []any, _, _ int) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`WITH `+with+` INSERT INTO events (shop_id, kind, variant_id, subscription_id,
			detail, created_at) SELECT shop_id, kind, variant_id, NULL, detail, `+tx.typed("TIMESTAMPTZ")+` FROM event`), append(args, b.now)...)
		return err
	})
}

// insertJobs queues the restock engine's job for each applied change of a
// variant someone is queued for, read now, under the variants' locks (see
// recordStockChange).
func (b *stockBatch) insertJobs(ctx context.Context, tx *Tx) error {
	queued, err := queuedVariants(ctx, tx, b.restocked)
	if err != nil {
		return err
	}
	var jobs []stockbell.JobArgs
	for _, id := range b.appliedChanges {
		if queued[id] {
			jobs = append(jobs, stockbell.VariantStockChangedJob{ShopID: b.variants[id].ShopID, VariantID: id})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	return tx.insertJobs(ctx, jobs, nil)
}

// queuedVariants returns which of the variants someone is queued for, as
// the restock engine reads its queue (stockbell.RestockState.HasQueued),
// in one statement per rowsPerInsert variants. A change that skips the
// engine's job for the others must hold their rows locked for update
// (PostgreSQL) from before this read until it commits, so that a
// subscription racing it either is seen here or sees the change (see
// recordStockChange).
func queuedVariants(ctx context.Context, tx *Tx, variantIDs []int64) (map[int64]bool, error) {
	queued := map[int64]bool{}
	err := newRowSet("changed").int64s("vid", variantIDs).each(tx, func(with string, args []any, _, _ int) error {
		var ids []int64
		err := tx.SelectContext(ctx, &ids, tx.Rebind(`WITH `+with+` SELECT vid FROM changed
			WHERE EXISTS (SELECT 1 FROM subscriptions WHERE variant_id = changed.vid AND status = 'queued')`), args...)
		for _, id := range ids {
			queued[id] = true
		}
		return err
	})
	return queued, err
}
