package shopify

import (
	"context"
	"errors"
	"fmt"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Sources of the catalog sync and of reconciliation in the sync log and in
// the stock changes they record.
const (
	CatalogSource   = "shopify:catalog"
	ReconcileSource = "shopify:reconcile"
	// TokenSource names the exchange of a non-expiring access token for
	// an expiring one in the sync log (its failures only).
	TokenSource = "shopify:token"
	// ProductVariantsSource names the read of a large product's variants
	// (ShopifyProductVariantsJob) in the sync log (its failures only, and
	// the run that ends one).
	ProductVariantsSource = "shopify:product_variants"
	// WebhooksSource names the registration of the shop's webhooks
	// (ShopifyRegisterWebhooksJob) in the sync log (its failures only,
	// and the run that ends one).
	WebhooksSource = "shopify:webhooks"
	// RereadSource names the reads that processing a webhook makes in the
	// sync log (their failures only, and the read that ends one): of an
	// inventory item (an inventory_items/update, a level of an item not in
	// the catalog, a level change the store cannot order), and of whether
	// the shop has a product new to it (productOfShop).
	RereadSource = "shopify:reread"
)

// reconcileBatch is how many inventory items one nodes() query re-reads.
const reconcileBatch = 25

// Reconcile serves ShopifyReconcileJob. For ShopID 0 it queues one job per
// installed Shopify shop; for a shop, it re-reads through the Admin API the
// inventory of every variant with queued subscribers and applies each
// location's level as a read (and drops locations Shopify no longer lists),
// so a missed webhook delays a notification by at most the job's period.
// Only its failures are in the sync log (ReconcileSource), and the run
// that ends one: it runs every 15 minutes while shoppers wait. A failed
// run is retried.
func (in *Integration) Reconcile(ctx context.Context, job stockbell.ShopifyReconcileJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOutReconcile(ctx)
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	sess, err := in.activeSession(ctx, job.ShopID)
	if sess == nil || err != nil {
		return err
	}
	shop := sess.shop
	variants, err := in.waitedForVariants(ctx, shop.ID)
	if err != nil {
		return err
	}
	started := in.Clock.Now()
	for start := 0; start < len(variants); start += reconcileBatch {
		batch := variants[start:min(start+reconcileBatch, len(variants))]
		err := in.reconcileBatch(ctx, sess, batch)
		if stopped, err2 := in.stopIfRefused(ctx, sess, ReconcileSource, started, err); stopped {
			return err2
		} else if err != nil {
			return in.reconcileFailed(ctx, shop, started, err)
		}
	}
	return stockbell.RecordRecovered(ctx, in.SyncLog, shop.ID, ReconcileSource, started, in.Clock.Now(), len(variants))
}

// untilChecked says what holds until a stock check succeeds.
const untilChecked = " Until a check succeeds, a restock reaches Stockbell only through the shop's webhooks, and one Shopify " +
	"fails to deliver is not caught. The check is tried again."

// reconcileFailed records in the shop's sync log a stock check begun at
// started that failed with err: a missing field as it is, any other
// failure (a refusal is recorded before) saying what Shopify answered and
// what to check. A 401 for a token the shop no longer holds is not
// recorded. It returns err, for the job to be retried.
func (in *Integration) reconcileFailed(ctx context.Context, shop *stockbell.Shop, started time.Time, err error) error {
	switch {
	case errors.As(err, new(fieldMissingError)):
		return in.recordFieldMissing(ctx, shop, ReconcileSource, started, err)
	case stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED:
		return err // the shop was installed again meanwhile: retried with its new token
	}
	in.Logger.WarnContext(ctx, "shopify stock check failed", "shop", shop.Domain, "err", err)
	reason := requestFailure(err, "read the stock of the variants shoppers wait for", in.webhookAddress(), untilChecked)
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, ReconcileSource, started, in.Clock.Now(), reason, err)
}

func (in *Integration) fanOutReconcile(ctx context.Context) error {
	return in.fanOut(ctx, func(shop *stockbell.Shop) stockbell.JobArgs { return stockbell.ShopifyReconcileJob{ShopID: shop.ID} })
}

// fanOut inserts, unique by arguments, the job that job returns for each
// installed Shopify shop (nil: none for that shop). A periodic job that
// finds the same job running is dropped, without asking it to run again
// (NoRerun): the running one reads as fresh a state.
func (in *Integration) fanOut(ctx context.Context, job func(shop *stockbell.Shop) stockbell.JobArgs) error {
	platform, status := stockbell.PlatformShopify, stockbell.ShopInstalled
	for offset := 0; ; offset += 100 {
		shops, _, err := in.Shops.FindShops(ctx, stockbell.ShopFilter{Platform: &platform, Status: &status, Offset: offset, Limit: 100})
		if err != nil {
			return err
		}
		for _, shop := range shops {
			args := job(shop)
			if args == nil {
				continue
			}
			if err := in.Jobs.Insert(ctx, args, &stockbell.JobOptions{UniqueByArgs: true, NoRerun: true}); err != nil {
				return err
			}
		}
		if len(shops) < 100 {
			return nil
		}
	}
}

// waitedForVariants lists the shop's variants with queued subscribers that
// have an inventory item, passing over those of deleted products and
// those deleted from their product (stockbell.EachWaitedForVariant).
func (in *Integration) waitedForVariants(ctx context.Context, shopID int64) ([]*stockbell.VariantWithProduct, error) {
	var out []*stockbell.VariantWithProduct
	err := stockbell.EachWaitedForVariant(ctx, in.Catalog, shopID, func(v *stockbell.VariantWithProduct) {
		if v.InventoryItemID != "" {
			out = append(out, v)
		}
	})
	return out, err
}

// reconcileBatch re-reads the inventory items of a batch of waited-for
// variants, each item once, and applies each item's levels to every
// variant it backs (applyItemLevels).
func (in *Integration) reconcileBatch(ctx context.Context, sess *adminSession, batch []*stockbell.VariantWithProduct) error {
	var ids []string
	seen := map[string]bool{}
	for _, v := range batch {
		if !seen[v.InventoryItemID] {
			seen[v.InventoryItemID] = true
			ids = append(ids, gid("InventoryItem", v.InventoryItemID))
		}
	}
	var data struct {
		Nodes []*gqlItem `json:"nodes"`
	}
	read, err := in.Catalog.BeginStockRead(ctx)
	if err != nil {
		return err
	}
	if err := sess.query(ctx, inventoryItemsQuery, map[string]any{"ids": ids}, &data); err != nil {
		return fmt.Errorf("reconcile %s: %w", sess.shop.Domain, err)
	}
	for i, item := range data.Nodes {
		if item == nil || i >= len(ids) {
			continue
		}
		gone, err := sess.completeLevels(ctx, item)
		if err != nil {
			return err
		} else if gone {
			continue // deleted while read: its first levels alone would drop the others
		}
		if err := in.applyItemLevels(ctx, sess.shop, legacyID(ids[i]), levelsOf(item.InventoryLevels), read, ReconcileSource); err != nil {
			return err
		}
	}
	return nil
}
