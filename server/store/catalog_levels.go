package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

const levelColumns = `variant_id, location_id, available, platform_updated_at, origin, seq, updated_at, disconnected`

// levelUpsert ends an INSERT of levels: a location's new level replaces
// the stored one, or its tombstone.
const levelUpsert = `ON CONFLICT (variant_id, location_id) DO UPDATE SET available = excluded.available,
	platform_updated_at = excluded.platform_updated_at, origin = excluded.origin, seq = excluded.seq,
	updated_at = excluded.updated_at, disconnected = excluded.disconnected`

// liveLevels is the condition on inventory_levels that leaves out the
// tombstones of disconnected locations: every stock and every listing of
// levels is taken with it. Only the ordering of changes reads tombstones.
const liveLevels = `NOT disconnected`

// settleLevel orders one location's change against its stored level and
// carries out the decision: an applied or refreshed change is written (a
// disconnect as the location's tombstone), an ignored or re-read one is
// recorded as an activity event saying why. The caller holds the variant's lock and
// recomputes the stock after an applied change.
func settleLevel(ctx context.Context, tx *Tx, v *stockbell.Variant, c stockbell.StockChange) (stockbell.StockDecision, error) {
	stored, err := findLevel(ctx, tx, v.ID, c.LocationID)
	if err != nil {
		return stockbell.StockDecision{}, err
	}
	decision := stockbell.DecideStockChange(stored, c)
	return decision, carryOutLevelDecision(ctx, tx, v, c, stored, decision)
}

// carryOutLevelDecision writes the level of an applied or refreshed
// change, or records why it was not applied (see settleLevel).
func carryOutLevelDecision(ctx context.Context, tx *Tx, v *stockbell.Variant, c stockbell.StockChange, stored *stockbell.InventoryLevel, decision stockbell.StockDecision) (err error) {
	switch decision.Verdict {
	case stockbell.StockApply, stockbell.StockRefresh:
		err = writeLevel(ctx, tx, v.ID, c)
	case stockbell.StockIgnore:
		err = recordUnapplied(ctx, tx, v, c, stored, stockbell.EventStockChangeIgnored, decision.Reason)
	case stockbell.StockReread:
		err = recordUnapplied(ctx, tx, v, c, stored, stockbell.EventStockChangeReread, decision.Reason)
	}
	return err
}

// findLevel returns the stored level, its tombstone when the location was
// disconnected, or nil when the location has neither.
func findLevel(ctx context.Context, tx *Tx, variantID int64, locationID string) (*stockbell.InventoryLevel, error) {
	var level stockbell.InventoryLevel
	err := tx.GetContext(ctx, &level, tx.Rebind(`SELECT `+levelColumns+` FROM inventory_levels
		WHERE variant_id = ? AND location_id = ?`), variantID, locationID)
	if isNoRows(err) {
		return nil, nil
	}
	return &level, err
}

// writeLevel stores the change as the location's level with the platform's
// time it carried, its origin and a fresh stock sequence number; a
// disconnect is stored so as the location's tombstone, holding no quantity.
func writeLevel(ctx context.Context, tx *Tx, variantID int64, c stockbell.StockChange) error {
	origin := levelOrigin(c)
	// PostgreSQL takes the sequence number in the same statement (one round
	// trip less on the hot path); SQLite first, from its one-row table.
	seqSQL, args := "nextval('stock_seq')", []any{variantID, c.LocationID, levelAvailable(c), nullTime(c.At), origin}
	if tx.db.Dialect != Postgres {
		seq, err := tx.nextStockSeq(ctx)
		if err != nil {
			return err
		}
		seqSQL, args = "?", append(args, seq)
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO inventory_levels (`+levelColumns+`) VALUES (?, ?, ?, ?, ?, `+seqSQL+`, ?, ?)
		`+levelUpsert), append(args, tx.db.now(), c.Disconnected)...)
	return err
}

// levelAvailable is the quantity a level written from the change holds:
// none for a disconnect's tombstone.
func levelAvailable(c stockbell.StockChange) int {
	if c.Disconnected {
		return 0
	}
	return c.Available
}

// levelOrigin is what a level written from the change is stored as: read
// or changed.
func levelOrigin(c stockbell.StockChange) stockbell.LevelOrigin {
	if c.Read != nil {
		return stockbell.LevelRead
	}
	return stockbell.LevelChange
}

// recordUnapplied records why a change was ignored or must be re-read,
// with the stored level it was ordered against.
func recordUnapplied(ctx context.Context, tx *Tx, v *stockbell.Variant, c stockbell.StockChange, stored *stockbell.InventoryLevel, kind stockbell.EventKind, reason string) error {
	return tx.insertEvent(ctx, stockbell.Event{ShopID: v.ShopID, Kind: kind, VariantID: &v.ID}, unappliedDetail(c, stored, reason))
}

// unappliedDetail is the detail of a change's EventStockChangeIgnored or
// EventStockChangeReread.
func unappliedDetail(c stockbell.StockChange, stored *stockbell.InventoryLevel, reason string) EventDetail {
	detail := EventDetail{"location_id": c.LocationID, "available": c.Available, "disconnected": c.Disconnected,
		"at": nullTime(c.At), "read": c.Read != nil, "source": c.Source, "reason": reason}
	if stored != nil {
		detail["stored_available"] = stored.Available
		// In UTC, as the change's own time is: a level read back from
		// PostgreSQL comes in the process's zone.
		detail["stored_at"] = utcPtr(stored.PlatformUpdatedAt)
		detail["stored_origin"] = stored.Origin
		if stored.Disconnected {
			detail["stored_disconnected"] = true
		}
	}
	return detail
}

// settleReadLevels orders a read's complete set of levels for a variant
// against the stored ones: each listed location as a read level, and each
// stored location the read no longer lists as a read disconnect. It
// returns the changes applied, in that order.
func settleReadLevels(ctx context.Context, tx *Tx, v *stockbell.Variant, levels []stockbell.LocationLevel, read stockbell.StockRead, source string) ([]stockbell.StockChange, error) {
	var applied []stockbell.StockChange
	settle := func(c stockbell.StockChange) error {
		c.ShopID, c.Read, c.Source = v.ShopID, &read, source
		d, err := settleLevel(ctx, tx, v, c)
		if err == nil && d.Verdict == stockbell.StockApply {
			applied = append(applied, c)
		}
		return err
	}
	listed := map[string]bool{}
	for _, l := range levels {
		listed[l.LocationID] = true
		at := l.UpdatedAt
		if !at.IsZero() {
			at = at.UTC().Truncate(time.Microsecond)
		}
		if err := settle(stockbell.StockChange{LocationID: l.LocationID, Available: l.Available, At: at}); err != nil {
			return applied, err
		}
	}
	var stored []string
	if err := tx.SelectContext(ctx, &stored, tx.Rebind(`SELECT location_id FROM inventory_levels WHERE variant_id = ? AND `+liveLevels+` ORDER BY location_id`), v.ID); err != nil {
		return applied, err
	}
	for _, loc := range stored {
		if listed[loc] {
			continue
		}
		if err := settle(stockbell.StockChange{LocationID: loc, Disconnected: true}); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// nextStockSeq takes the next stock sequence number. PostgreSQL has a
// sequence (it never blocks concurrent writers); SQLite has a one-row table,
// as its transactions here already hold the single write lock.
func (tx *Tx) nextStockSeq(ctx context.Context) (int64, error) {
	// The row's id is bound rather than written in: SQLite's statement
	// cache keeps only statements with parameters, and this one runs for
	// every stock change.
	query, args := `UPDATE stock_seq SET value = value + 1 WHERE id = ? RETURNING value`, []any{1}
	if tx.db.Dialect == Postgres {
		query, args = `SELECT nextval('stock_seq')`, nil
	}
	var seq int64
	err := tx.QueryRowxContext(ctx, query, args...).Scan(&seq)
	return seq, err
}
