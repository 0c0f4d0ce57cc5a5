package bigcommerce

import (
	"context"
	"strconv"

	stockbell "github.com/stockbell/stockbell"
)

// Reconcile serves BigCommerceReconcileJob. For ShopID 0 it queues one job
// per installed store; for a store it reads again every product with a
// variant that has queued subscribers, so a missed webhook delays a
// notification by at most the job's period. Only its failures are in the
// sync log, and the run that ends one.
func (in *Integration) Reconcile(ctx context.Context, job stockbell.BigCommerceReconcileJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOut(ctx, func(shop *stockbell.Shop) stockbell.JobArgs {
			return stockbell.BigCommerceReconcileJob{ShopID: shop.ID}
		})
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	shop, sess, err := in.activeSession(ctx, job.ShopID)
	if sess == nil || err != nil {
		return err
	}
	products, err := in.waitedForProducts(ctx, shop.ID)
	if err != nil {
		return err
	}
	started := in.Clock.Now()
	for _, id := range products {
		err := in.refreshProduct(ctx, shop, id, ReconcileSource)
		if stopped, err2 := in.stopIfForbidden(ctx, shop, ReconcileSource, started, err); stopped {
			return err2
		} else if err != nil {
			return err
		}
	}
	in.Logger.InfoContext(ctx, "bigcommerce stock reconciled", "store", shop.Domain, "products", len(products))
	return stockbell.RecordRecovered(ctx, in.SyncLog, shop.ID, ReconcileSource, started, in.Clock.Now(), len(products))
}

// waitedForProducts lists, once each, the products of the shop's variants
// with queued subscribers, passing over deleted products and variants
// (stockbell.EachWaitedForVariant): a product whose waited-for variants
// were all deleted from it is not read.
func (in *Integration) waitedForProducts(ctx context.Context, shopID int64) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	err := stockbell.EachWaitedForVariant(ctx, in.Catalog, shopID, func(v *stockbell.VariantWithProduct) {
		if id, err := strconv.ParseInt(v.ProductPlatformID, 10, 64); err == nil && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	})
	return out, err
}
