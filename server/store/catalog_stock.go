package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ApplyStockChange records one location's level and recomputes the
// variant's stock as the sum over its locations, in one transaction with an
// EventStockChanged event and a VariantStockChangedJob. A change older than
// the stored level of that location is stale, and one with the same time and
// quantity a duplicate: neither is applied (Applied false). The variant row
// is locked first, so concurrent changes to one variant queue up and each
// sums what the others committed. Returns EINVALID without a variant or
// shop, ENOTFOUND for an unknown variant.
func (db *DB) ApplyStockChange(ctx context.Context, change stockbell.StockChange) (*stockbell.StockResult, error) {
	if err := validateStockChange(&change); err != nil {
		return nil, err
	}
	if change.At.IsZero() {
		change.At = db.now()
	}
	change.At = change.At.UTC().Truncate(time.Microsecond)
	var result *stockbell.StockResult
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		result, err = applyStockChange(ctx, tx, change)
		return err
	})
	return result, err
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
	return nil
}

func applyStockChange(ctx context.Context, tx *Tx, c stockbell.StockChange) (*stockbell.StockResult, error) {
	v, err := lockVariantForChange(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	result := &stockbell.StockResult{Variant: v, OldStock: v.Stock, NewStock: v.Stock}
	level, err := findLevel(ctx, tx, v.ID, c.LocationID)
	if err != nil || !levelChanges(level, c) {
		return result, err
	}
	if c.Disconnected {
		_, err = tx.ExecContext(ctx, tx.Rebind(`DELETE FROM inventory_levels WHERE variant_id = ? AND location_id = ?`), v.ID, c.LocationID)
	} else {
		err = upsertLevel(ctx, tx, v.ID, stockbell.LocationLevel{LocationID: c.LocationID, Available: c.Available}, c.At)
	}
	if err != nil {
		return nil, err
	}
	if result.NewStock, err = recomputeStock(ctx, tx, v.ID); err != nil {
		return nil, err
	}
	result.Applied = true
	v.Stock, v.UpdatedAt = result.NewStock, tx.db.now()
	if err := recordStockChange(ctx, tx, v, c, result); err != nil {
		return nil, err
	}
	return result, nil
}

// levelChanges reports whether the change is neither stale nor a duplicate
// of the stored level (nil when the location has none).
func levelChanges(level *stockbell.InventoryLevel, c stockbell.StockChange) bool {
	if level == nil {
		return !c.Disconnected
	}
	stored := level.UpdatedAt.UTC()
	if c.At.Before(stored) {
		return false
	}
	return !(c.At.Equal(stored) && !c.Disconnected && c.Available == level.Available)
}

func recordStockChange(ctx context.Context, tx *Tx, v *stockbell.Variant, c stockbell.StockChange, r *stockbell.StockResult) error {
	detail := EventDetail{"old_stock": r.OldStock, "new_stock": r.NewStock, "location_id": c.LocationID,
		"available": c.Available, "disconnected": c.Disconnected, "source": c.Source, "at": c.At}
	e := stockbell.Event{ShopID: v.ShopID, Kind: stockbell.EventStockChanged, VariantID: &v.ID}
	if err := tx.insertEvent(ctx, e, detail); err != nil {
		return err
	}
	return insertStockJobs(ctx, tx, []int64{v.ID})
}

// lockVariantForChange finds the change's variant by platform id or by
// inventory item id and locks its row. Returns ENOTFOUND.
func lockVariantForChange(ctx context.Context, tx *Tx, c stockbell.StockChange) (*stockbell.Variant, error) {
	column, key := "v.platform_id", c.VariantPlatformID
	if key == "" {
		column, key = "v.inventory_item_id", c.InventoryItemID
	}
	var v stockbell.Variant
	err := tx.GetContext(ctx, &v, tx.Rebind(`SELECT `+variantColumns+` FROM variants v WHERE v.shop_id = ? AND `+column+` = ?
		ORDER BY v.id LIMIT 1`+tx.forUpdate()), c.ShopID, key)
	if err != nil {
		return nil, notFound(err, "no variant %q in shop %d", key, c.ShopID)
	}
	return &v, nil
}

func findLevel(ctx context.Context, tx *Tx, variantID int64, locationID string) (*stockbell.InventoryLevel, error) {
	var level stockbell.InventoryLevel
	err := tx.GetContext(ctx, &level, tx.Rebind(`SELECT variant_id, location_id, available, updated_at FROM inventory_levels
		WHERE variant_id = ? AND location_id = ?`), variantID, locationID)
	if isNoRows(err) {
		return nil, nil
	}
	return &level, err
}

func upsertLevel(ctx context.Context, tx *Tx, variantID int64, l stockbell.LocationLevel, at time.Time) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO inventory_levels (variant_id, location_id, available, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (variant_id, location_id) DO UPDATE SET
		available = excluded.available, updated_at = excluded.updated_at`), variantID, l.LocationID, l.Available, at)
	return err
}

// replaceLevels makes levels the variant's complete set of locations.
func replaceLevels(ctx context.Context, tx *Tx, variantID int64, levels []stockbell.LocationLevel, at time.Time) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM inventory_levels WHERE variant_id = ?`), variantID); err != nil {
		return err
	}
	for _, l := range levels {
		if err := upsertLevel(ctx, tx, variantID, l, at); err != nil {
			return err
		}
	}
	return nil
}

// recomputeStock sets the variant's stock to the sum of its levels.
func recomputeStock(ctx context.Context, tx *Tx, variantID int64) (int, error) {
	var stock int
	err := tx.QueryRowxContext(ctx, tx.Rebind(`UPDATE variants SET
		stock = (SELECT COALESCE(SUM(available), 0) FROM inventory_levels WHERE variant_id = ?), updated_at = ?
		WHERE id = ? RETURNING stock`), variantID, tx.db.now(), variantID).Scan(&stock)
	return stock, err
}
