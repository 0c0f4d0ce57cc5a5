package shopify

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// applyLevels applies the levels one read of Shopify found for a variant,
// each at Shopify's time of the level, and disconnects the stored locations
// the read no longer lists. The store orders each against what it holds
// (stockbell.DecideStockChange).
func (in *Integration) applyLevels(ctx context.Context, shop *stockbell.Shop, v *stockbell.Variant, levels []stockbell.LocationLevel, read stockbell.StockRead, source string) error {
	seen := map[string]bool{}
	base := stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: v.PlatformID, Read: &read, Source: source}
	for _, l := range levels {
		seen[l.LocationID] = true
		change := base
		change.LocationID, change.Available, change.At = l.LocationID, l.Available, l.UpdatedAt
		if _, err := in.Catalog.ApplyStockChange(ctx, change); ignoreNotFound(err) != nil {
			return err
		}
	}
	stored, err := in.Catalog.FindInventoryLevels(ctx, shop.ID, v.ID)
	if err != nil {
		return err
	}
	for _, l := range stored {
		if !seen[l.LocationID] {
			change := base
			change.LocationID, change.Disconnected = l.LocationID, true
			if _, err := in.Catalog.ApplyStockChange(ctx, change); ignoreNotFound(err) != nil {
				return err
			}
		}
	}
	return nil
}

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
// to every stored variant the item backs (applyLevels).
func (in *Integration) applyItemLevels(ctx context.Context, shop *stockbell.Shop, itemID string, levels []stockbell.LocationLevel, read stockbell.StockRead, source string) error {
	variants, _, err := in.Catalog.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shop.ID, InventoryItemID: &itemID, Limit: 1000})
	if err != nil {
		return err
	}
	for _, v := range variants {
		if err := in.applyLevels(ctx, shop, &v.Variant, levels, read, source); err != nil {
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
