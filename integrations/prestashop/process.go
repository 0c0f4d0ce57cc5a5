package prestashop

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ModuleSource names the module's posts in activity and the sync log.
const ModuleSource = "prestashop:module"

// ProcessReceipt does the work of one stored post of the module: the
// quantity is applied as a pushed change at PrestaShop's time of it, at
// the variant's one location. A post the store cannot order against what
// a read stored is resolved by reading the product again; a post about a
// variant Stockbell does not know reads the product (created since the
// last sync) and, when the shop has no such variant either, is recorded
// in the shop's sync log. A payload that can never be processed is logged
// and done (nil); an error makes the job retry.
func (in *Integration) ProcessReceipt(ctx context.Context, rc *stockbell.WebhookReceipt) error {
	post, at, err := ParseStockPost(rc.Payload)
	if err != nil {
		in.Logger.WarnContext(ctx, "prestashop post dropped", "receipt", rc.ID, "err", err)
		return nil
	}
	shop, err := in.Shops.FindShopByDomain(ctx, stockbell.PlatformPrestaShop, rc.Domain)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if !shop.Active() {
		in.Logger.InfoContext(ctx, "prestashop post for a disconnected shop ignored", "shop", shop.Domain)
		return nil
	}
	res, err := in.Catalog.ApplyStockChange(ctx, postChange(shop, post, at))
	return in.settlePost(ctx, shop, post, res, err)
}

// postChange is the stock change a post carries, at PrestaShop's time of it.
func postChange(shop *stockbell.Shop, post *StockPost, at time.Time) stockbell.StockChange {
	return stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: post.VariantID(), LocationID: stockbell.DefaultLocation,
		Available: post.Available(), At: at, Source: ModuleSource}
}

// settlePost finishes a post's change the store applied (res) or could
// not (err): an unknown variant reads its product, a change that could
// not be ordered reads the product again. A read the webservice refuses
// is recorded in the shop's sync log and the post is done (see failed):
// retrying it cannot help.
func (in *Integration) settlePost(ctx context.Context, shop *stockbell.Shop, post *StockPost, res *stockbell.StockResult, err error) error {
	started := in.Clock.Now()
	err = in.readForPost(ctx, shop, post, res, err)
	return in.failed(ctx, shop, stockbell.SyncReport{ShopID: shop.ID, Source: ModuleSource, StartedAt: started}, err)
}

// readForPost reads from the webservice what a post's change needs.
func (in *Integration) readForPost(ctx context.Context, shop *stockbell.Shop, post *StockPost, res *stockbell.StockResult, err error) error {
	switch {
	case stockbell.ErrorCode(err) == stockbell.ENOTFOUND:
		return in.unknownVariant(ctx, shop, post)
	case err != nil:
		return err
	case res.Reread:
		_, _, err = in.refreshProducts(ctx, shop, []int64{int64(post.IDProduct)}, ModuleSource)
		return err
	}
	return nil
}

// ProcessReceipts processes posts claimed together: their stock changes
// for connected shops are applied by the store in one batch
// (stockbell.StockReceiptBatch), then settled as ProcessReceipt settles
// each one.
func (in *Integration) ProcessReceipts(ctx context.Context, rcs []*stockbell.WebhookReceipt, mayStart func() bool) []error {
	return stockbell.StockReceiptBatch{Platform: stockbell.PlatformPrestaShop, Shops: in.Shops, Catalog: in.Catalog, Logger: in.Logger,
		Pick: in.pickPost, Alone: in.ProcessReceipt}.Process(ctx, rcs, mayStart)
}

// pickPost returns the change a readable post carries.
func (in *Integration) pickPost(ctx context.Context, rc *stockbell.WebhookReceipt, shop *stockbell.Shop) (stockbell.StockChange, stockbell.SettleFunc, bool) {
	post, at, err := ParseStockPost(rc.Payload)
	if err != nil {
		return stockbell.StockChange{}, nil, false // ProcessReceipt logs and drops it
	}
	return postChange(shop, post, at), func(ctx context.Context, res *stockbell.StockResult, err error) error {
		return in.settlePost(ctx, shop, post, res, err)
	}, true
}

// unknownVariant reads the post's product from the webservice and records
// the post in the shop's sync log when the shop has no such variant. The
// product-level total of a product with combinations (attribute 0, which
// PrestaShop updates beside each combination) is not a variant and is let
// go, unread when the stored variants already say what it is
// (knownCombinationsTotal).
func (in *Integration) unknownVariant(ctx context.Context, shop *stockbell.Shop, post *StockPost) error {
	if skip, err := in.knownCombinationsTotal(ctx, shop, post); skip || err != nil {
		return err
	}
	found, _, err := in.refreshProducts(ctx, shop, []int64{int64(post.IDProduct)}, ModuleSource)
	if err != nil {
		return err
	}
	_, err = in.Catalog.FindVariant(ctx, shop.ID, post.VariantID())
	if stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return err // found now: the read applied its stock
	}
	if found[int64(post.IDProduct)] && post.IDProductAttribute == 0 {
		in.Logger.DebugContext(ctx, "prestashop product total of a product with combinations ignored", "shop", shop.Domain, "product", post.IDProduct)
		return nil
	}
	reason := fmt.Sprintf("the module posted a stock change for product %d, which the shop's webservice does not list", post.IDProduct)
	if found[int64(post.IDProduct)] {
		reason = fmt.Sprintf("the module posted a stock change for combination %d of product %d, which the shop's webservice does not list",
			post.IDProductAttribute, post.IDProduct)
	}
	in.Logger.WarnContext(ctx, "prestashop post for an unknown variant", "shop", shop.Domain, "variant", post.VariantID())
	now := in.Clock.Now()
	return in.SyncLog.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: ModuleSource, StartedAt: now, FinishedAt: now,
		Items: 1, Rejections: []stockbell.SyncRejection{{Position: 1, ID: post.VariantID(), Reason: reason}}})
}

// knownCombinationsTotal reports whether a post Stockbell has no variant
// for is the product-level total of a product whose combinations it
// stores, published and not deleted: that total carries nothing Stockbell
// keeps, and PrestaShop posts one beside every combination's change, so
// reading the product for it would cost the shop's webservice a read (four
// or five requests) per order line during a sale.
//
// The stored variants are trusted only where a wrong guess costs no alert:
//   - A product never read (no stored variant) is read as before.
//   - A product without combinations has its own variant (attribute 0):
//     the post's change was applied and never comes here. One that gained
//     combinations keeps that variant; a post about a new combination
//     reads the product as any unknown variant does.
//   - A product held deleted or unpublished is read: the post shows the
//     shop still has it, and only a read undoes a wrong deletion or sees
//     the product activated (which the module does not post), so that its
//     waiting shoppers' restock is not missed.
//   - A product that lost all its combinations since it was read is the
//     one wrong guess: its total is now its stock and is let go. Nobody
//     can be waiting for that variant (Stockbell does not have it), so no
//     alert is missed; the storefront takes no subscription for it until
//     the next read of the product stores it: the reconciliation within
//     15 minutes when anyone waits for one of its old combinations, else
//     the daily catalog sync. A rare change of a product's type is worth
//     that wait; a read of every order line of every product with
//     combinations is not.
func (in *Integration) knownCombinationsTotal(ctx context.Context, shop *stockbell.Shop, post *StockPost) (bool, error) {
	if post.IDProductAttribute != 0 {
		return false, nil
	}
	product := strconv.FormatInt(int64(post.IDProduct), 10)
	stored, _, err := in.Catalog.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shop.ID, ProductPlatformID: &product, Limit: 1})
	if err != nil || len(stored) == 0 {
		return false, err
	}
	// The product's own variant, stored by a read since the post's change
	// missed it: unknownVariant reads and finds it, as before.
	// The product's state, not the variant's: a combination deleted from
	// it says nothing of the product's total.
	if v := stored[0]; v.PlatformID == post.VariantID() || !v.Published || v.Deleted {
		return false, nil
	}
	in.Logger.DebugContext(ctx, "prestashop product total of a product with combinations ignored", "shop", shop.Domain, "product", post.IDProduct)
	return true, nil
}

// refreshProducts reads the products again with their combinations and
// stock and upserts them; the products the webservice no longer lists are
// marked deleted (deleteUnlisted). It returns the products found and their
// variant count.
func (in *Integration) refreshProducts(ctx context.Context, shop *stockbell.Shop, ids []int64, source string) (map[int64]bool, int, error) {
	found, variants, err := in.readAndApply(ctx, shop, ids, source)
	if err != nil {
		in.forgetOwner(shop.ID) // the shop may have moved in its installation
	}
	return found, variants, err
}

// readAndApply is refreshProducts' work.
func (in *Integration) readAndApply(ctx context.Context, shop *stockbell.Shop, ids []int64, source string) (map[int64]bool, int, error) {
	sess, err := in.session(shop)
	if err != nil {
		return nil, 0, err
	}
	settings, err := in.settings(ctx, shop.ID, sess, false)
	if err != nil {
		return nil, 0, err
	}
	products, _, err := list[apiProduct](ctx, sess, "products", settings.withPrices(url.Values{"display": {"full"}, "filter[id]": {idFilter(ids)},
		"limit": {"0," + strconv.Itoa(len(ids))}}))
	if err != nil {
		return nil, 0, err
	}
	variants, err := in.applyProducts(ctx, shop, sess, settings, products, source)
	sess.logPricesBeforeTax(ctx, in.Logger)
	if err != nil {
		return nil, variants, err
	}
	found := map[int64]bool{}
	for _, p := range products {
		found[int64(p.ID)] = true
	}
	return found, variants, in.deleteUnlisted(ctx, shop, sess, ids, found)
}

// deleteUnlisted marks deleted the products of ids that a read of them
// did not find. A read that found none of them while Stockbell holds some
// of them is judged by the rule of a complete listing (stockbell.GuardSweep),
// since one request's empty answer is as likely a webservice answering
// nothing (a key whose shop of a multistore holds none of them, a
// webservice answering empty lists) as products deleted: the webservice
// is asked for any one product, and when it lists none, nothing is marked
// and ErrListedNothing is returned. When it lists one, the products read
// are gone (the only product shoppers waited for, deleted) and are marked.
func (in *Integration) deleteUnlisted(ctx context.Context, shop *stockbell.Shop, sess *session, ids []int64, found map[int64]bool) error {
	var missing []int64
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(found) == 0 && len(missing) > 0 {
		if err := in.guardEmptyRead(ctx, shop.ID, sess, missing); err != nil {
			return err
		}
	}
	for _, id := range missing {
		if err := in.Catalog.DeleteProduct(ctx, shop.ID, strconv.FormatInt(id, 10)); err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			return err
		}
	}
	return nil
}

// guardEmptyRead applies stockbell.GuardSweep to a read that found none
// of the products missing: the products Stockbell holds among them (not
// deleted) would vanish, and the listing is the webservice's answer for
// any one product.
func (in *Integration) guardEmptyRead(ctx context.Context, shopID int64, sess *session, missing []int64) error {
	held, err := in.heldProducts(ctx, shopID, missing)
	if err != nil || held == 0 {
		return err
	}
	anyProduct, _, err := list[apiProduct](ctx, sess, "products", url.Values{"display": {"[id]"}, "limit": {"1"}})
	if err != nil {
		return err
	}
	return stockbell.GuardSweep(len(anyProduct), held)
}

// heldProducts counts the products of ids that Stockbell holds for the
// shop and has not marked deleted.
func (in *Integration) heldProducts(ctx context.Context, shopID int64, ids []int64) (int, error) {
	held := 0
	for _, id := range ids {
		product := strconv.FormatInt(id, 10)
		stored, _, err := in.Catalog.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shopID, ProductPlatformID: &product, Limit: 1})
		if err != nil {
			return 0, err
		}
		if len(stored) > 0 && !stored[0].Deleted {
			held++
		}
	}
	return held, nil
}
