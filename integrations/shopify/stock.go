package shopify

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// reread resolves a webhook the store could not order against the stored
// level: it reads the inventory item's levels again through the Admin API
// and applies them as a read begun after the webhook was received, so the
// answer holds the webhook's change or a newer one.
func (in *Integration) reread(ctx context.Context, shop *stockbell.Shop, itemID string) error {
	return in.readItem(ctx, shop, itemID, func(records []variantRecord, read stockbell.StockRead, recovered *stockbell.SyncReport) error {
		if len(records) == 0 {
			return nil
		}
		if err := in.applyItemLevels(ctx, shop, itemID, levelsOf(records[0].item.InventoryLevels), read, "shopify:reread"); err != nil {
			return err
		}
		return in.SyncLog.RecordSync(ctx, *recovered) // records were read: a recovery to record
	})
}

// applyItemLevels applies the levels one read found for an inventory item
// to every stored variant the item backs, as each variant's complete set
// of locations (stockbell.ReadLevelChanges), in one transaction: each
// listed level at Shopify's time of the level, and each stored location
// the read no longer lists as a disconnect. A restock decision thus never
// sees a stock that counts a level just written with a location the same
// read dropped, and the variants of a shared item change together. The
// store orders each change against what it holds
// (stockbell.DecideStockChange); a variant gone meanwhile is passed over.
func (in *Integration) applyItemLevels(ctx context.Context, shop *stockbell.Shop, itemID string, levels []stockbell.LocationLevel, read stockbell.StockRead, source string) error {
	variants, _, err := in.Catalog.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shop.ID, InventoryItemID: &itemID, Limit: 1000})
	if err != nil {
		return err
	}
	var changes []stockbell.StockChange
	for _, v := range variants {
		stored, err := in.Catalog.FindInventoryLevels(ctx, shop.ID, v.ID)
		if err != nil {
			return err
		}
		base := stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: v.PlatformID, Read: &read, Source: source}
		changes = append(changes, stockbell.ReadLevelChanges(base, levels, stored)...)
	}
	outcomes, err := in.Catalog.ApplyStockChanges(ctx, changes)
	if err != nil {
		return err
	}
	for _, o := range outcomes {
		if err := ignoreNotFound(o.Err); err != nil {
			return err
		}
	}
	return nil
}

// platformTime parses a time Shopify sent (RFC 3339); zero when absent or
// malformed, as a read that carries no time.
func platformTime(value string) time.Time {
	t, err := parseTime(value)
	if err != nil {
		return time.Time{}
	}
	return t
}
