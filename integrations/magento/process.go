package magento

import (
	"context"
	"fmt"

	stockbell "github.com/stockbell/stockbell"
)

// ProcessReceipt applies one stored post of the module: the SKU's level at
// the post's source, ordered against the stored level by Magento's own
// updated_at (stockbell.DecideStockChange). A change that cannot be
// ordered is resolved by reading the SKU's stock again over REST. A SKU
// the catalog does not know is recorded in the shop's sync log and a
// catalog sync is queued. A post that can never be processed is logged
// and done (nil); an error makes the job retry.
func (in *Integration) ProcessReceipt(ctx context.Context, rc *stockbell.WebhookReceipt) error {
	post, err := ParseStockPost(rc.Payload)
	if err != nil {
		in.Logger.WarnContext(ctx, "magento post dropped", "receipt", rc.ID, "err", err)
		return nil
	}
	shop, err := in.Shops.FindShopByDomain(ctx, stockbell.PlatformMagento, rc.Domain)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if !shop.Active() {
		in.Logger.InfoContext(ctx, "magento post for an uninstalled store ignored", "store", shop.Domain)
		return nil
	}
	change := postChange(shop, post)
	result, err := in.Catalog.ApplyStockChange(ctx, change)
	return in.settlePost(ctx, shop, post, result, err)
}

// postChange is the stock change a post carries.
func postChange(shop *stockbell.Shop, post *StockPost) stockbell.StockChange {
	change := stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: post.SKU, LocationID: post.Location(),
		Available: post.Available(), Source: ModuleSource}
	change.At, _ = post.At()
	return change
}

// settlePost finishes a post's change the store applied (result) or could
// not (err): an unknown SKU is recorded and a sync queued, a change that
// could not be ordered is resolved by reading the SKU again.
func (in *Integration) settlePost(ctx context.Context, shop *stockbell.Shop, post *StockPost, result *stockbell.StockResult, err error) error {
	switch {
	case stockbell.ErrorCode(err) == stockbell.ENOTFOUND:
		return in.unknownSKU(ctx, shop, post.SKU)
	case err != nil:
		return err
	case result.Reread:
		return in.rereadSKU(ctx, shop, post.SKU)
	}
	return nil
}

// ProcessReceipts processes posts claimed together: their stock changes
// for installed stores are applied by the store in one batch
// (stockbell.StockReceiptBatch), then settled as ProcessReceipt settles
// each one.
func (in *Integration) ProcessReceipts(ctx context.Context, rcs []*stockbell.WebhookReceipt, mayStart func() bool) []error {
	return stockbell.StockReceiptBatch{Platform: stockbell.PlatformMagento, Shops: in.Shops, Catalog: in.Catalog, Logger: in.Logger,
		Pick: in.pickPost, Alone: in.ProcessReceipt}.Process(ctx, rcs, mayStart)
}

// pickPost returns the change a readable post carries.
func (in *Integration) pickPost(ctx context.Context, rc *stockbell.WebhookReceipt, shop *stockbell.Shop) (stockbell.StockChange, stockbell.SettleFunc, bool) {
	post, err := ParseStockPost(rc.Payload)
	if err != nil {
		return stockbell.StockChange{}, nil, false // ProcessReceipt logs and drops it
	}
	return postChange(shop, post), func(ctx context.Context, result *stockbell.StockResult, err error) error {
		return in.settlePost(ctx, shop, post, result, err)
	}, true
}

// unknownSKU records a post's SKU the catalog does not know in the shop's
// sync log, and queues a catalog sync that may bring it.
func (in *Integration) unknownSKU(ctx context.Context, shop *stockbell.Shop, sku string) error {
	now := in.Clock.Now()
	report := stockbell.SyncReport{ShopID: shop.ID, Source: ModuleSource, StartedAt: now, FinishedAt: now, Items: 1,
		Rejections: []stockbell.SyncRejection{{Position: 1, ID: sku,
			Reason: fmt.Sprintf("the module posted a stock change for SKU %q, which is not in Stockbell's catalog of the store; a catalog sync is queued", sku)}}}
	if err := in.SyncLog.RecordSync(ctx, report); err != nil {
		return err
	}
	return in.Jobs.Insert(ctx, stockbell.MagentoCatalogSyncJob{ShopID: shop.ID}, &stockbell.JobOptions{UniqueByArgs: true})
}

// rereadSKU reads a SKU's stock over REST and applies it as the SKU's
// complete set of sources (applyRead).
func (in *Integration) rereadSKU(ctx context.Context, shop *stockbell.Shop, sku string) error {
	cred, err := in.credentials(shop)
	if err != nil {
		return err
	}
	started := in.Clock.Now()
	err = in.applyReads(ctx, shop, cred, []string{sku}, RereadSource)
	if stopped, err2 := in.stopIfRefused(ctx, shop, RereadSource, started, err); stopped {
		return err2 // retrying the post cannot help: its failure is recorded
	}
	return err
}
