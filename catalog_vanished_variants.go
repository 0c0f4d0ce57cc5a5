package stockbell

import "context"

// DeleteVanishedVariants marks deleted the shop's stored variants that a
// complete catalog sync listing variants one by one (not a product with
// all of its variants), begun with sync, did not list (listed holds the
// platform ids it listed), of products it kept: the platform removed them
// from their product, and their subscribers must not wait for a restock
// that cannot come. A variant a read begun since found is kept (see
// DeleteVanishedVariant). Run it after DeleteVanishedProducts: the
// variants of a product deleted are left to the product. It returns how
// many it marked.
func DeleteVanishedVariants(ctx context.Context, catalog CatalogService, shopID int64, listed map[string]bool, sync StockRead) (int, error) {
	var vanished []string
	err := eachStoredVariant(ctx, catalog, shopID, func(v *VariantWithProduct) {
		if !v.Deleted && !v.VariantDeleted && !listed[v.PlatformID] {
			vanished = append(vanished, v.PlatformID)
		}
	})
	if err != nil {
		return 0, err
	}
	deleted := 0
	for _, id := range vanished {
		gone, err := catalog.DeleteVanishedVariant(ctx, shopID, id, sync)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return deleted, err
		}
		if gone {
			deleted++
		}
	}
	return deleted, nil
}
