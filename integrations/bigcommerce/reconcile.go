package bigcommerce

import (
	"context"
	"fmt"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Reconcile serves BigCommerceReconcileJob. For ShopID 0 it queues one job
// per installed store; for a store it reads again every product with a
// variant that has queued subscribers, so a missed webhook delays a
// notification by at most the job's period. Only its failures are in the
// sync log, and the run that ends one; a failed run is retried.
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
			return in.recordReconcileFailure(ctx, shop, started, err)
		}
	}
	in.Logger.InfoContext(ctx, "bigcommerce stock reconciled", "store", shop.Domain, "products", len(products))
	return stockbell.RecordRecovered(ctx, in.SyncLog, shop.ID, ReconcileSource, started, in.Clock.Now(), len(products))
}

// untilStockChecked says what holds until a stock check succeeds.
const untilStockChecked = " Until a check succeeds, a restock reaches Stockbell only through the store's webhooks, and one " +
	"BigCommerce fails to deliver is not caught. The check is tried again."

// recordReconcileFailure records in the shop's sync log a stock check
// begun at started that failed with err (other than a 403), saying what
// BigCommerce answered and what to check, and returns err, for the job to
// be retried.
func (in *Integration) recordReconcileFailure(ctx context.Context, shop *stockbell.Shop, started time.Time, err error) error {
	in.Logger.WarnContext(ctx, "bigcommerce stock check failed", "store", shop.Domain, "err", err)
	reason := requestFailure(err, "read the stock of the variants shoppers wait for", "", untilStockChecked)
	err = fmt.Errorf("stock check of %s: %w", shop.Domain, err)
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, ReconcileSource, started, in.Clock.Now(), reason, err)
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
