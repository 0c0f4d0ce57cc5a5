package magento

import (
	"context"
	"fmt"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Reconcile serves MagentoReconcileJob. For ShopID 0 it queues one job per
// installed store; for a store it reads again, over REST, the stock of
// every variant with queued subscribers, so a post the module never made
// (Stockbell unreachable past the module's retries, the module disabled)
// delays a notification by at most the job's period. Only its failures
// are in the sync log, and the run that ends one; a failed run is
// retried, unrecorded when it met credentials the store no longer holds.
func (in *Integration) Reconcile(ctx context.Context, job stockbell.MagentoReconcileJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOut(ctx, func(_ context.Context, shop *stockbell.Shop) (stockbell.JobArgs, error) {
			return stockbell.MagentoReconcileJob{ShopID: shop.ID}, nil
		})
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	shop, cred, err := in.activeShop(ctx, job.ShopID)
	if shop == nil || err != nil {
		return err
	}
	skus, err := in.waitedForSKUs(ctx, shop.ID)
	if err != nil {
		return err
	}
	started := in.Clock.Now()
	err = in.applyReads(ctx, shop, cred, skus, ReconcileSource)
	if stopped, err2 := in.stopIfRefused(ctx, shop, ReconcileSource, started, err); stopped {
		return err2
	} else if stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED {
		return err // activated again meanwhile: retried with its new credentials
	} else if err != nil {
		return in.recordReconcileFailure(ctx, shop, started, err)
	}
	in.Logger.InfoContext(ctx, "magento stock reconciled", "store", shop.Domain, "skus", len(skus))
	return stockbell.RecordRecovered(ctx, in.SyncLog, shop.ID, ReconcileSource, started, in.Clock.Now(), len(skus))
}

// untilChecked says what holds until a stock check succeeds.
const untilChecked = " Until a check succeeds, a restock reaches Stockbell only through the Stockbell module's posts, and one " +
	"the module does not make is not caught. The check is tried again."

// recordReconcileFailure records in the shop's sync log a stock check
// begun at started that failed with err (other than a refusal), saying
// what the store answered and what to check, and returns err, for the
// job to be retried.
func (in *Integration) recordReconcileFailure(ctx context.Context, shop *stockbell.Shop, started time.Time, err error) error {
	in.Logger.WarnContext(ctx, "magento stock check failed", "store", shop.Domain, "err", err)
	reason := requestFailure(err, "read the stock of the variants shoppers wait for") + untilChecked
	err = fmt.Errorf("stock check of %s: %w", shop.Domain, err)
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, ReconcileSource, started, in.Clock.Now(), reason, err)
}

// applyReads reads the store's disabled sources, then each SKU's stock
// (applyRead), stopping at the first failure.
func (in *Integration) applyReads(ctx context.Context, shop *stockbell.Shop, cred Credentials, skus []string, source string) error {
	if len(skus) == 0 {
		return nil
	}
	disabled, err := in.Client.disabledSources(ctx, cred)
	if err != nil {
		err = &stepError{step: "read the store's inventory sources", err: err}
	}
	for _, sku := range skus {
		if err != nil {
			return err
		}
		err = in.applyRead(ctx, shop, cred, disabled, sku, source)
	}
	return err
}

// applyRead reads one SKU's stock and applies it as the SKU's complete set
// of sources (stockbell.ReadLevelChanges), in one transaction: each level
// listed as a read, and each stored source the read no longer lists as a
// read disconnect. Magento's source items no longer list a source
// unassigned from the product, and a disabled source's are left out
// (stockOf), so its last quantity stops counting. A SKU the store no
// longer has is skipped.
func (in *Integration) applyRead(ctx context.Context, shop *stockbell.Shop, cred Credentials, disabled disabledSources, sku, source string) error {
	read, err := in.Catalog.BeginStockRead(ctx)
	if err != nil {
		return err
	}
	s, err := in.Client.stockOf(ctx, cred, sku, disabled)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	v, err := in.Catalog.FindVariant(ctx, shop.ID, sku)
	if err != nil {
		return err
	}
	stored, err := in.Catalog.FindInventoryLevels(ctx, shop.ID, v.ID)
	if err != nil {
		return err
	}
	base := stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: sku, Read: &read, Source: source}
	outcomes, err := in.Catalog.ApplyStockChanges(ctx, stockbell.ReadLevelChanges(base, s.levels, stored))
	if err != nil {
		return err
	}
	for _, o := range outcomes {
		if o.Err != nil {
			return o.Err
		}
	}
	return nil
}

// waitedForSKUs lists the SKUs (variant ids) of the shop's variants with
// queued subscribers, passing over deleted products and variants removed
// from their product (stockbell.EachWaitedForVariant).
func (in *Integration) waitedForSKUs(ctx context.Context, shopID int64) ([]string, error) {
	var out []string
	err := stockbell.EachWaitedForVariant(ctx, in.Catalog, shopID, func(v *stockbell.VariantWithProduct) {
		out = append(out, v.PlatformID)
	})
	return out, err
}
