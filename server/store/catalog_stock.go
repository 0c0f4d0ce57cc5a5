package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ApplyStockChange orders one location's change against its stored level
// with stockbell.DecideStockChange and, when it is newer, records it and
// recomputes the variant's stock as the sum over its locations, in one
// transaction with an EventStockChanged event and, when anyone is queued
// for the variant, a VariantStockChangedJob for the restock engine (see
// recordStockChange).
// A stale change is not applied and leaves an EventStockChangeIgnored; one
// that cannot be ordered leaves an EventStockChangeReread and is returned
// with Reread set, for the caller to read the level from the platform
// again. A duplicate changes nothing. The variant row is locked first, so
// concurrent changes to one variant queue up and each sums what the others
// committed. Returns EINVALID without a variant or shop, ENOTFOUND for an
// unknown variant.
//
// On SQLite the transaction is a group transaction (see groupCommit):
// concurrent changes, such as those of a batch of receipts, share one
// commit and one insert of their jobs. On PostgreSQL each change has a
// transaction of its own, so changes run in parallel on the pool's
// connections and two changes never wait on each other's variant locks
// inside one transaction.
func (db *DB) ApplyStockChange(ctx context.Context, change stockbell.StockChange) (*stockbell.StockResult, error) {
	if err := validateStockChange(&change); err != nil {
		return nil, err
	}
	var result *stockbell.StockResult
	if db.Dialect == Postgres {
		err := db.inTx(ctx, func(tx *Tx) (err error) {
			result, err = applyStockChange(ctx, tx, change)
			return err
		})
		return result, err
	}
	var unknown error
	err := db.group.do(ctx, func(ctx context.Context, tx *Tx) (err error) {
		result, err = applyStockChange(ctx, tx, change)
		unknown = nil
		if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
			// The variant's lookup, the change's first statement, found
			// nothing: nothing was written, and the batch goes on.
			unknown, err = err, nil
		}
		return err
	})
	if err == nil {
		err = unknown
	}
	return result, err
}

// BeginStockRead takes the stock sequence number a read of a platform
// begins at: every level written after it was recorded while the read was
// in flight.
func (db *DB) BeginStockRead(ctx context.Context) (stockbell.StockRead, error) {
	var read stockbell.StockRead
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		read.Seq, err = tx.nextStockSeq(ctx)
		return err
	})
	return read, err
}

func validateStockChange(c *stockbell.StockChange) error {
	if c.ShopID == 0 {
		return stockbell.FieldErrorf("shop_id", "stock change names no shop")
	}
	if c.VariantPlatformID == "" && c.InventoryItemID == "" {
		return stockbell.FieldErrorf("variant", "stock change names neither a variant nor an inventory item")
	}
	if c.LocationID == "" {
		c.LocationID = stockbell.DefaultLocation
	}
	if !c.At.IsZero() {
		c.At = c.At.UTC().Truncate(time.Microsecond)
	}
	return nil
}

func applyStockChange(ctx context.Context, tx *Tx, c stockbell.StockChange) (*stockbell.StockResult, error) {
	v, err := lockVariantForChange(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	result := &stockbell.StockResult{Variant: v, OldStock: v.Stock, NewStock: v.Stock}
	decision, err := settleLevel(ctx, tx, v, c)
	if err != nil {
		return nil, err
	}
	result.Reason = decision.Reason
	result.Reread = decision.Verdict == stockbell.StockReread
	if decision.Verdict != stockbell.StockApply {
		return result, nil
	}
	var queued bool
	if result.NewStock, queued, err = recomputeStock(ctx, tx, v.ID); err != nil {
		return nil, err
	}
	result.Applied = true
	v.Stock, v.UpdatedAt = result.NewStock, tx.db.now()
	if err := recordStockChange(ctx, tx, v, c, result, queued); err != nil {
		return nil, err
	}
	return result, nil
}

// recordStockChange records an applied change's event and, when anyone is
// queued for the variant, the restock engine's job. With no one queued the
// engine's decision is known here, in the change's own transaction: it
// would read the same queue (stockbell.RestockState.HasQueued) and do
// nothing. A subscription queued later wakes the engine itself: one on a
// purchasable variant queues this job in its own transaction
// (createSubscription), and one awaiting confirmation does when it is
// confirmed. The two cannot miss each other: on SQLite writes are serial,
// and on PostgreSQL the change holds the variant's row lock from before it
// reads the queue until it commits, while a new subscription reads the
// variant under a key-share lock (findVariantForSubscription,
// insertDirectSubscriptions), which waits for that commit and then sees
// the new stock; or, when the subscription holds that lock first, the
// change waits for the subscription's commit and then sees it queued.
func recordStockChange(ctx context.Context, tx *Tx, v *stockbell.Variant, c stockbell.StockChange, r *stockbell.StockResult, queued bool) error {
	detail := EventDetail{"old_stock": r.OldStock, "new_stock": r.NewStock, "location_id": c.LocationID,
		"available": c.Available, "disconnected": c.Disconnected, "source": c.Source, "at": nullTime(c.At)}
	e := stockbell.Event{ShopID: v.ShopID, Kind: stockbell.EventStockChanged, VariantID: &v.ID}
	if err := tx.insertEvent(ctx, e, detail); err != nil {
		return err
	}
	if !queued {
		return nil
	}
	return insertStockJobs(ctx, tx, v.ShopID, []int64{v.ID})
}

// lockVariantForChange finds the change's variant by platform id or by
// inventory item id and locks its row. Returns ENOTFOUND.
func lockVariantForChange(ctx context.Context, tx *Tx, c stockbell.StockChange) (*stockbell.Variant, error) {
	// The literal condition on the inventory item lets the planner use the
	// partial index variants_inventory_item, which a bound value alone
	// cannot show to apply.
	where, key := "v.platform_id = ?", c.VariantPlatformID
	if key == "" {
		where, key = "v.inventory_item_id = ? AND v.inventory_item_id <> ''", c.InventoryItemID
	}
	var v stockbell.Variant
	err := tx.GetContext(ctx, &v, tx.Rebind(`SELECT `+variantColumns+` FROM variants v WHERE v.shop_id = ? AND `+where+`
		ORDER BY v.id LIMIT 1`+tx.forUpdate()), c.ShopID, key)
	if err != nil {
		return nil, notFound(err, "no variant %q in shop %d", key, c.ShopID)
	}
	return &v, nil
}

// recomputeStock sets the variant's stock to the sum of its levels and
// reports, in the same statement, whether anyone is queued for the
// variant, as the restock engine reads it (FindRestockState). The status
// is written literally so that SQLite plans the partial indexes once (see
// FindRestockState).
func recomputeStock(ctx context.Context, tx *Tx, variantID int64) (stock int, queued bool, err error) {
	tx.catalogChanged = true
	err = tx.QueryRowxContext(ctx, tx.Rebind(`UPDATE variants SET
		stock = (SELECT COALESCE(SUM(available), 0) FROM inventory_levels WHERE variant_id = ?), updated_at = ?
		WHERE id = ? RETURNING stock, EXISTS (SELECT 1 FROM subscriptions WHERE variant_id = ? AND status = 'queued')`),
		variantID, tx.db.now(), variantID, variantID).Scan(&stock, &queued)
	return stock, queued, err
}
