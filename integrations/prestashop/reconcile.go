package prestashop

import (
	"context"
	"fmt"
	"strconv"

	stockbell "github.com/stockbell/stockbell"
)

// ReconcileSource names reconciliations in the sync log and activity.
const ReconcileSource = "prestashop:reconcile"

// reconcileChunk is how many products one webservice read asks for.
const reconcileChunk = 50

// Reconcile serves PrestaShopReconcileJob. For ShopID 0 it queues one job
// per installed shop; for a shop it reads again every product with a
// variant that has queued subscribers, so a post the module could not make
// delays a notification by at most the job's period; a product the
// webservice no longer lists is marked deleted, unless it lists no product
// at all (deleteUnlisted: then nothing is, and the run is a failure that
// is not retried). Only its failures are in the sync log, and the run that
// ends one: it runs every 15 minutes while shoppers wait, so a line per
// success would bury everything else. A failure other than a refusal is
// retried.
func (in *Integration) Reconcile(ctx context.Context, job stockbell.PrestaShopReconcileJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOut(ctx, func(id int64) stockbell.JobArgs { return stockbell.PrestaShopReconcileJob{ShopID: id} })
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	shop, sess, err := in.activeSession(ctx, job.ShopID)
	if sess == nil || err != nil {
		return err
	}
	report := stockbell.SyncReport{ShopID: shop.ID, Source: ReconcileSource, StartedAt: in.Clock.Now()}
	ids, err := in.waitedForProducts(ctx, shop.ID)
	if err != nil || len(ids) == 0 {
		return err
	}
	for start := 0; start < len(ids); start += reconcileChunk {
		_, n, err := in.refreshProducts(ctx, shop, ids[start:min(start+reconcileChunk, len(ids))], ReconcileSource)
		if err != nil {
			return in.reconcileFailed(ctx, shop, report, err)
		}
		report.Items += n
	}
	in.Logger.InfoContext(ctx, "prestashop stock reconciled", "shop", shop.Domain, "products", len(ids))
	return stockbell.RecordRecovered(ctx, in.SyncLog, shop.ID, ReconcileSource, report.StartedAt, in.Clock.Now(), report.Items)
}

// untilChecked says what holds until a stock check succeeds.
const untilChecked = " Until a check succeeds, a restock reaches Stockbell only through the module's posts, and one the " +
	"module could not make is not caught. The check is tried again."

// reconcileFailed ends a stock check that failed with err: a refusal is
// recorded and not retried (failed); any other failure is recorded with
// what the shop answered and what to check, and returned, for the job to
// be retried.
func (in *Integration) reconcileFailed(ctx context.Context, shop *stockbell.Shop, report stockbell.SyncReport, err error) error {
	const step = "read the stock of the variants shoppers wait for"
	err = fmt.Errorf("reconcile %s: %w", shop.Domain, &stepError{step: step, err: err})
	if refusal(err) {
		return in.failed(ctx, shop, report, err)
	}
	in.Logger.WarnContext(ctx, "prestashop stock check failed", "shop", shop.Domain, "err", err)
	reason := requestFailure(err, step) + untilChecked
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, ReconcileSource, report.StartedAt, in.Clock.Now(), reason, err)
}

// waitedForProducts lists, once each, the products of the shop's variants
// with queued subscribers, passing over deleted products and combinations
// deleted from their product (stockbell.EachWaitedForVariant): a product
// whose waited-for combinations were all deleted from it is not read.
func (in *Integration) waitedForProducts(ctx context.Context, shopID int64) ([]int64, error) {
	seen := map[int64]bool{}
	var ids []int64
	err := stockbell.EachWaitedForVariant(ctx, in.Catalog, shopID, func(v *stockbell.VariantWithProduct) {
		if id, err := strconv.ParseInt(v.ProductPlatformID, 10, 64); err == nil && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	})
	return ids, err
}
