package stockbell

import "context"

// EachWaitedForVariant calls visit with each of the shop's variants that
// have queued subscribers and still exist on the platform: a variant of a
// deleted product, or one deleted from its product, is passed over (no
// restock can come for it, so a stock check need not read it). It reads
// a page of 250 at a time.
func EachWaitedForVariant(ctx context.Context, catalog CatalogService, shopID int64, visit func(*VariantWithProduct)) error {
	const page = 250
	queued := true
	for offset := 0; ; offset += page {
		variants, _, err := catalog.FindVariants(ctx, VariantFilter{ShopID: &shopID, HasQueuedSubscribers: &queued, Offset: offset, Limit: page})
		if err != nil {
			return err
		}
		for _, v := range variants {
			if !v.Deleted && !v.VariantDeleted {
				visit(v)
			}
		}
		if len(variants) < page {
			return nil
		}
	}
}
