package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// readLevels are levels of the default location read by one read of a
// feed, for one statement to write.
type readLevels struct {
	at        time.Time // the document's own time; zero without one
	seq       int64
	variants  []int64
	available []int64
}

func (l *readLevels) add(variantID int64, available int) {
	l.variants, l.available = append(l.variants, variantID), append(l.available, int64(available))
}

// writeReadLevels stores the levels as the default location's, each with
// the read's platform time, origin read and the batch's stock sequence
// number.
func writeReadLevels(ctx context.Context, tx *Tx, l readLevels) error {
	rows := newRowSet("level").int64s("variant_id", l.variants).int64s("available", l.available)
	now := tx.db.now()
	return rows.each(tx, func(with string, args []any, _, _ int) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`WITH `+with+` INSERT INTO inventory_levels (`+levelColumns+`)
			SELECT variant_id, `+tx.typed("TEXT")+`, available, `+tx.typed("TIMESTAMPTZ")+`, `+tx.typed("TEXT")+`, `+tx.typed("BIGINT")+`, `+
			tx.typed("TIMESTAMPTZ")+`, FALSE FROM level WHERE 1 = 1
			`+levelUpsert),
			append(args, stockbell.DefaultLocation, nullTime(l.at), stockbell.LevelRead, l.seq, now)...)
		return err
	})
}

// settleFeedLevels orders each changed quantity as the read level of the
// default location (and each other stored location as disconnected by the
// read), exactly as settleReadLevels does for one variant, for the whole
// batch: one read of the stored levels, one write of the applied ones,
// one recount of the stocks they change. It sets each change's stock.
func settleFeedLevels(ctx context.Context, tx *Tx, batch stockbell.FeedBatch, changes []feedChange) error {
	var wanted []int64
	for _, c := range changes {
		if c.item.Quantity != c.old.Stock {
			wanted = append(wanted, c.old.VariantID)
		}
	}
	if len(wanted) == 0 {
		return nil
	}
	stored, err := findLevelsOf(ctx, tx, wanted)
	if err != nil {
		return err
	}
	seq, err := tx.nextStockSeq(ctx)
	if err != nil {
		return err
	}
	levels := readLevels{at: batch.At, seq: seq}
	var applied []int64
	for _, c := range changes {
		if c.item.Quantity == c.old.Stock {
			continue
		}
		ok, err := decideFeedLevels(ctx, tx, batch, &c, stored[c.old.VariantID], &levels)
		if err != nil {
			return err
		}
		if ok {
			applied = append(applied, c.old.VariantID)
		}
	}
	if err := writeReadLevels(ctx, tx, levels); err != nil {
		return err
	}
	stocks, err := recountStocks(ctx, tx, applied)
	if err != nil {
		return err
	}
	for i := range changes {
		if stock, ok := stocks[changes[i].old.VariantID]; ok {
			changes[i].stock = stock
		}
	}
	return nil
}

// decideFeedLevels orders one item's read against its stored levels: the
// default location's level to write joins levels, a disconnected location
// leaves its tombstone, what is not applied is recorded. It reports whether a level
// was applied.
func decideFeedLevels(ctx context.Context, tx *Tx, batch stockbell.FeedBatch, c *feedChange, stored []stockbell.InventoryLevel, levels *readLevels) (bool, error) {
	v := &stockbell.Variant{ID: c.old.VariantID, ShopID: batch.ShopID, PlatformID: c.old.ID}
	read := batch.Read
	change := stockbell.StockChange{ShopID: batch.ShopID, LocationID: stockbell.DefaultLocation, Available: c.item.Quantity,
		At: batch.At, Read: &read, Source: stockbell.FeedSource}
	var current *stockbell.InventoryLevel
	for i := range stored {
		if stored[i].LocationID == stockbell.DefaultLocation {
			current = &stored[i]
		}
	}
	d := stockbell.DecideStockChange(current, change)
	switch d.Verdict {
	case stockbell.StockApply, stockbell.StockRefresh:
		levels.add(v.ID, c.item.Quantity)
	default:
		if err := recordDecision(ctx, tx, v, change, current, d); err != nil {
			return false, err
		}
	}
	applied := d.Verdict == stockbell.StockApply
	for i := range stored {
		if stored[i].LocationID == stockbell.DefaultLocation {
			continue
		}
		gone := stockbell.StockChange{ShopID: batch.ShopID, LocationID: stored[i].LocationID, Disconnected: true, Read: &read,
			Source: stockbell.FeedSource}
		d := stockbell.DecideStockChange(&stored[i], gone)
		var err error
		switch d.Verdict {
		case stockbell.StockApply, stockbell.StockRefresh:
			err = writeLevel(ctx, tx, v.ID, gone)
		default:
			err = recordDecision(ctx, tx, v, gone, &stored[i], d)
		}
		if err != nil {
			return false, err
		}
		applied = applied || d.Verdict == stockbell.StockApply
	}
	return applied, nil
}

// recordDecision records a change ignored or to be read again (a
// duplicate is nothing to record).
func recordDecision(ctx context.Context, tx *Tx, v *stockbell.Variant, c stockbell.StockChange, stored *stockbell.InventoryLevel, d stockbell.StockDecision) error {
	switch d.Verdict {
	case stockbell.StockIgnore:
		return recordUnapplied(ctx, tx, v, c, stored, stockbell.EventStockChangeIgnored, d.Reason)
	case stockbell.StockReread:
		return recordUnapplied(ctx, tx, v, c, stored, stockbell.EventStockChangeReread, d.Reason)
	}
	return nil
}

// findLevelsOf returns the stored levels of the variants, tombstones
// included (they order changes), by variant, in location order. On PostgreSQL each variant's levels are one lookup
// through the primary key (see findStoredFeedItems).
func findLevelsOf(ctx context.Context, tx *Tx, variants []int64) (map[int64][]stockbell.InventoryLevel, error) {
	out := make(map[int64][]stockbell.InventoryLevel, len(variants))
	err := newRowSet("wanted").int64s("vid", variants).each(tx, func(with string, args []any, _, _ int) error {
		query := `WITH ` + with + ` SELECT ` + levelColumns + ` FROM inventory_levels
			WHERE variant_id IN (SELECT vid FROM wanted) ORDER BY variant_id, location_id`
		if tx.db.Dialect == Postgres {
			// OFFSET 0 keeps the lateral subquery from being flattened into a join.
			query = `WITH ` + with + ` SELECT l.* FROM wanted CROSS JOIN LATERAL (SELECT ` + levelColumns + `
				FROM inventory_levels WHERE variant_id = wanted.vid ORDER BY location_id OFFSET 0) l`
		}
		var rows []stockbell.InventoryLevel
		if err := tx.SelectContext(ctx, &rows, tx.Rebind(query), args...); err != nil {
			return err
		}
		for _, l := range rows {
			out[l.VariantID] = append(out[l.VariantID], l)
		}
		return nil
	})
	return out, err
}

// recountStocks sets each variant's stock to the sum of its live levels and
// returns the stocks by variant.
func recountStocks(ctx context.Context, tx *Tx, variants []int64) (map[int64]int, error) {
	tx.catalogChanged = true
	stocks := make(map[int64]int, len(variants))
	now := tx.db.now()
	err := newRowSet("recount").int64s("vid", variants).each(tx, func(with string, args []any, _, _ int) error {
		rows, err := tx.QueryxContext(ctx, tx.Rebind(`WITH `+with+` UPDATE variants
			SET stock = (SELECT COALESCE(SUM(l.available), 0) FROM inventory_levels l WHERE l.variant_id = variants.id AND `+liveLevels+`), updated_at = ?
			FROM recount WHERE variants.id = recount.vid RETURNING id, stock`), append(args, now)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var stock int
			if err := rows.Scan(&id, &stock); err != nil {
				return err
			}
			stocks[id] = stock
		}
		return rows.Err()
	})
	return stocks, err
}
