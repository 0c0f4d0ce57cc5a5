package shopify

import (
	"context"
	"fmt"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ProcessReceipt does the work of one stored Shopify receipt. A payload
// that can never be processed (malformed, unknown topic, unknown shop) is
// logged and reported done with nil, so it is not retried; a returned error
// makes the job retry. A shop/redact for a shop erased already still
// erases its data request answers.
func (in *Integration) ProcessReceipt(ctx context.Context, rc *stockbell.WebhookReceipt) error {
	hook, err := ParseWebhook(rc.Topic, rc.Payload)
	if err != nil {
		in.Logger.WarnContext(ctx, "shopify webhook dropped", "receipt", rc.ID, "topic", rc.Topic, "shop", rc.Domain, "err", err)
		return nil
	}
	shop, err := in.Shops.FindShopByDomain(ctx, stockbell.PlatformShopify, rc.Domain)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND && hook.ShopRedact != nil {
		// The shop is erased already: what is left on disk goes too.
		return in.DataRequests.EraseShopRequests(ctx, rc.Domain)
	} else if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		in.Logger.InfoContext(ctx, "shopify webhook for an unknown shop", "receipt", rc.ID, "topic", rc.Topic, "shop", rc.Domain)
		return nil
	} else if err != nil {
		return err
	}
	return in.dispatch(ctx, shop, rc, hook)
}

func (in *Integration) dispatch(ctx context.Context, shop *stockbell.Shop, rc *stockbell.WebhookReceipt, hook *Webhook) error {
	switch {
	case hook.Customer != nil && hook.Topic == TopicCustomersDataRequest:
		return in.answerDataRequest(ctx, shop, hook.Customer)
	case hook.Customer != nil:
		return in.redactCustomer(ctx, shop, hook.Customer)
	case hook.ShopRedact != nil:
		return in.redactShop(ctx, shop)
	case hook.Shop != nil:
		return in.uninstall(ctx, shop, rc)
	case !shop.Active():
		in.Logger.InfoContext(ctx, "shopify webhook for an uninstalled shop ignored", "topic", hook.Topic, "shop", shop.Domain)
		return nil
	case hook.InventoryLevel != nil:
		return in.applyLevel(ctx, shop, rc, hook.InventoryLevel)
	case hook.InventoryItem != nil:
		return in.refreshItem(ctx, shop, string(hook.InventoryItem.ID))
	case hook.Product != nil:
		return in.upsertProduct(ctx, shop, rc, hook.Product)
	case hook.Deleted != nil:
		return ignoreNotFound(in.Catalog.DeleteProduct(ctx, shop.ID, string(hook.Deleted.ID)))
	case hook.Order != nil:
		return in.recordOrder(ctx, shop, hook.Order)
	}
	return nil
}

// applyLevel records one location's level, ordered by Shopify's updated_at.
// A change the store cannot order against what it holds (it looks older
// than a read, or shares its second with a different quantity) is resolved
// by reading the item's levels again. An inventory item not yet in the
// catalog is read from the Admin API (variant, product, every level) and
// upserted: that read began after the webhook arrived, so it holds the
// webhook's change or a newer one. A level whose available is null (an
// item Shopify does not track) carries no quantity to store, so the item
// is read again too: the read stores its tracking and levels as they are.
func (in *Integration) applyLevel(ctx context.Context, shop *stockbell.Shop, rc *stockbell.WebhookReceipt, p *InventoryLevelPayload) error {
	if p.untracked(rc.Topic) {
		return in.refreshItem(ctx, shop, string(p.InventoryItemID))
	}
	change := levelChange(shop, rc, p)
	result, err := in.Catalog.ApplyStockChange(ctx, change)
	return in.settleLevel(ctx, shop, change, result, err)
}

// levelChange is the stock change an inventory_levels webhook carries.
func levelChange(shop *stockbell.Shop, rc *stockbell.WebhookReceipt, p *InventoryLevelPayload) stockbell.StockChange {
	change := stockbell.StockChange{
		ShopID: shop.ID, InventoryItemID: string(p.InventoryItemID), LocationID: string(p.LocationID),
		Disconnected: rc.Topic == TopicInventoryLevelsDisconnect, At: changeTime(p.UpdatedAt, rc),
		Source: "shopify:" + rc.Topic,
	}
	if p.Available != nil {
		change.Available = int(*p.Available)
	}
	return change
}

// settleLevel finishes a level change the store applied (result) or
// could not (err): it reads the item again when the store could not order
// the change, and reads an item not yet in the catalog (see applyLevel).
func (in *Integration) settleLevel(ctx context.Context, shop *stockbell.Shop, change stockbell.StockChange, result *stockbell.StockResult, err error) error {
	switch {
	case err == nil && result.NeedsReread():
		return in.reread(ctx, shop, change.InventoryItemID)
	case stockbell.ErrorCode(err) != stockbell.ENOTFOUND:
		return err
	case change.Disconnected:
		return nil // nothing stocked there for us
	}
	return in.refreshItem(ctx, shop, change.InventoryItemID)
}

// refreshItem reads an inventory item through the Admin API and upserts
// every variant it backs (tracking, policy, levels) with its product. An
// item the shop holds (a variant of it stored, deleted or not: one look-up
// of an index, CatalogService.HoldsItem) is read at once. An item it does
// not hold is asked about as a new id (askAboutNew): not again when
// Shopify answered null for it lately, and not before the shop's budget
// of such questions has one left (errOwnerQuestionsSpent: the receipt is
// tried again later).
func (in *Integration) refreshItem(ctx context.Context, shop *stockbell.Shop, itemID string) error {
	held, err := in.Catalog.HoldsItem(ctx, shop.ID, itemID)
	if err != nil {
		return err
	}
	if !held {
		dropped, release, err := in.askAboutNew(ctx, shop, foreignItem, itemID)
		if dropped || err != nil {
			return err
		}
		defer release()
	}
	return in.readItem(ctx, shop, itemID, func(records []variantRecord, read stockbell.StockRead, recovered *stockbell.SyncReport) error {
		return in.upsertRecords(ctx, shop, records, read, "shopify:refresh", recovered)
	})
}

// readItem reads an inventory item through the Admin API for a webhook's
// processing and hands what it read to apply (nothing when Shopify
// answers null for the item, or for its later pages, the item deleted
// while read: that answer is remembered, see askOnce), with
// the read's success (stockbell.RecoveryReport, nil when it read nothing)
// for apply to record with its write or by itself. Only its failures are
// in the sync log (RereadSource), and the read that ends one: an answer
// without the inventoryItem field, to the item's query or to one of its
// later pages, is one (fieldMissing), returned so that the receipt is
// tried again. Shopify's refusal (stopIfRefused) ends the
// receipt's processing without an error: the drainer would otherwise try
// the receipt again, with a backoff of at most an hour, for as long as the
// refusal lasts (a pending receipt is kept however old). The receipt's
// change is not lost: installing the app again or granting the scope
// queues a catalog sync, which reads the item afresh, and the stock check
// reads items with shoppers waiting every 15 minutes. A token the shop no
// longer holds is still retried.
func (in *Integration) readItem(ctx context.Context, shop *stockbell.Shop, itemID string, apply func([]variantRecord, stockbell.StockRead, *stockbell.SyncReport) error) error {
	started := in.Clock.Now()
	sess, read, err := in.readSession(ctx, shop)
	if err != nil {
		return err
	}
	records, gone, err := sess.fetchItem(ctx, itemID)
	if stopped, err2 := in.stopIfRefused(ctx, sess, RereadSource, started, err); stopped {
		return err2
	} else if err != nil {
		return in.recordFieldMissing(ctx, shop, RereadSource, started, err)
	}
	if gone {
		in.rememberForeign(shop, foreignItem, itemID)
	}
	return apply(records, read, stockbell.RecoveryReport(shop.ID, RereadSource, started, in.Clock.Now(), len(records)))
}

// webhookVariantsWhole bounds the variants a product payload is trusted to
// list whole: Shopify's products had at most 100 variants until 2025, and
// a payload of a larger product may not list them all.
const webhookVariantsWhole = 100

// upsertProduct applies products/create or update of a product of the
// shop (productOfShop: one the shop does not hold yet is confirmed with
// Shopify first, and dropped when Shopify does not answer it for the
// shop). Stock is left to the inventory topics (the payload has no
// per-location levels); a variant whose payload omits
// inventory_management keeps its stored tracking. The payload lists every
// variant of the product (AllVariants), so a variant it no longer lists
// is marked deleted — unless it lists webhookVariantsWhole or more, which
// may be a part of them: then the product is completed through the Admin
// API (completeLargeProduct).
func (in *Integration) upsertProduct(ctx context.Context, shop *stockbell.Shop, rc *stockbell.WebhookReceipt, p *ProductPayload) error {
	ours, recovered, err := in.productOfShop(ctx, shop, rc.Topic, string(p.ID))
	if !ours || err != nil {
		return err
	}
	up := stockbell.ProductUpsert{
		ShopID: shop.ID, PlatformID: string(p.ID), Title: p.Title, Handle: p.Handle,
		URL: productURL(shop, p.Handle), Published: p.published(), UpdatedAt: changeTime(p.UpdatedAt, rc),
		AllVariants: len(p.Variants) < webhookVariantsWhole, Recovered: recovered,
	}
	images := map[ID]string{}
	for _, img := range p.Images {
		images[img.ID] = img.Src
	}
	if p.Image != nil {
		up.ImageURL = p.Image.Src
	} else if len(p.Images) > 0 {
		up.ImageURL = p.Images[0].Src
	}
	for _, v := range p.Variants {
		vu, err := in.variantFromPayload(ctx, shop, &up, v, images)
		if err != nil {
			return err
		}
		up.Variants = append(up.Variants, vu)
	}
	if _, err := in.Catalog.UpsertProduct(ctx, up); err != nil || up.AllVariants {
		return err
	}
	return in.completeLargeProduct(ctx, shop, rc.Topic, up.PlatformID, p.VariantGIDs)
}

// completeLargeProduct finishes a products/create or update whose payload
// may list only some of the product's variants in full (gids name them
// all): a create needs the variants it did not list read and stored, an
// update the variants removed from the product marked deleted. Neither is
// needed when gids show there is nothing to do; when one is, it is queued
// as a ShopifyProductVariantsJob (ReadProductVariants), since paging a
// large product's variants through the Admin API takes minutes at a
// Standard shop's rate and would hold up every shop's webhooks. The job is
// inserted before the receipt is marked processed, so a crash between the
// two processes the receipt again and queues it again, which does no harm.
func (in *Integration) completeLargeProduct(ctx context.Context, shop *stockbell.Shop, topic, productID string, gids []VariantGID) error {
	if topic != TopicProductsCreate && topic != TopicProductsUpdate {
		return nil
	}
	stored, err := in.storedVariantsOf(ctx, shop.ID, productID)
	if err != nil {
		return err
	}
	named := namedVariants(gids)
	if named != nil && (topic == TopicProductsCreate && storesEvery(stored, named) ||
		topic == TopicProductsUpdate && namesEvery(named, stored)) {
		return nil
	}
	job := stockbell.ShopifyProductVariantsJob{ShopID: shop.ID, ProductID: productID, Topic: topic}
	return in.Jobs.Insert(ctx, job, &stockbell.JobOptions{UniqueByArgs: true})
}

// namedVariants is the set of variant ids gids name (a large product
// payload's variant_gids), or nil when there are none.
func namedVariants(gids []VariantGID) map[string]bool {
	if len(gids) == 0 {
		return nil
	}
	named := make(map[string]bool, len(gids))
	for _, g := range gids {
		named[g.ID[strings.LastIndex(g.ID, "/")+1:]] = true
	}
	return named
}

// namesEvery reports whether named holds each stored variant not
// deleted: then no variant was removed, and the product's variants need
// not be listed through the Admin API: a products/update that changed no
// variant (a title, or, as merchants report, a sale) costs no query.
func namesEvery(named map[string]bool, stored []*stockbell.VariantWithProduct) bool {
	for _, v := range stored {
		if !v.VariantDeleted && !named[v.PlatformID] {
			return false
		}
	}
	return true
}

// storesEvery reports whether each variant named is stored and not
// deleted: then a products/create has nothing more to store (the
// payload listed them all in full, or their inventory webhooks stored
// them first) and asks Shopify nothing.
func storesEvery(stored []*stockbell.VariantWithProduct, named map[string]bool) bool {
	have := make(map[string]bool, len(stored))
	for _, v := range stored {
		have[v.PlatformID] = !v.VariantDeleted
	}
	for id := range named {
		if !have[id] {
			return false
		}
	}
	return true
}

func (in *Integration) variantFromPayload(ctx context.Context, shop *stockbell.Shop, up *stockbell.ProductUpsert, v VariantPayload, images map[ID]string) (stockbell.VariantUpsert, error) {
	vu := stockbell.VariantUpsert{
		PlatformID: string(v.ID), InventoryItemID: string(v.InventoryItemID), Title: v.Title, SKU: v.SKU,
		Price: string(v.Price), URL: variantURL(up.URL, string(v.ID)), ImageURL: up.ImageURL,
		InventoryPolicy: inventoryPolicy(v.InventoryPolicy), Tracked: true,
	}
	if src, ok := images[v.ImageID]; ok && v.ImageID != "" {
		vu.ImageURL = src
	}
	if v.managementSent {
		vu.Tracked = v.InventoryManagement != nil && *v.InventoryManagement != ""
		return vu, nil
	}
	stored, err := in.Catalog.FindVariant(ctx, shop.ID, string(v.ID))
	if err == nil {
		vu.Tracked = stored.Tracked
	} else if stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return vu, err
	}
	return vu, nil
}

// uninstall stops all sending for the shop and keeps its data. An
// app/uninstalled triggered before the shop's latest install belongs to an
// earlier install and is ignored. Its signature covers the body only, not
// the event id or the time, so a body replayed with new headers would pass
// every other check: the uninstall is confirmed by Shopify refusing the
// shop's access token, which Shopify has revoked by the time it sends
// the webhook.
func (in *Integration) uninstall(ctx context.Context, shop *stockbell.Shop, rc *stockbell.WebhookReceipt) error {
	if !shop.Active() || uninstallPrecedesInstall(shop, rc) {
		return nil
	}
	refused, asked, err := in.tokenRefused(ctx, shop)
	if err != nil {
		return err
	}
	if !refused {
		in.Logger.WarnContext(ctx, "shopify app/uninstalled ignored: Shopify still accepts the shop's access token",
			"receipt", rc.ID, "shop", shop.Domain, "shop_id", shop.ID)
		return nil
	}
	uninstalled, err := stockbell.UninstallRefusedShop(ctx, in.Shops, asked)
	if uninstalled {
		in.Logger.InfoContext(ctx, "shopify shop uninstalled", "shop", shop.Domain, "shop_id", shop.ID)
	}
	return err
}

// tokenRefused asks Shopify whether it still accepts the shop's access
// token, with the cheapest query there is. Any answer other than the
// data or a refusal (Shopify away, throttled past the retries) is an
// error: the receipt is tried again later. It also returns the shop as
// last asked with: an expiring token is refreshed on the way, and only the
// token Shopify refused may uninstall the shop.
func (in *Integration) tokenRefused(ctx context.Context, shop *stockbell.Shop) (bool, *stockbell.Shop, error) {
	s, err := in.session(shop)
	if stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED {
		return true, shop, nil // no token to ask with
	} else if err != nil {
		return false, shop, err
	}
	var out struct {
		Shop struct{ ID string } `json:"shop"`
	}
	err = s.query(ctx, `query { shop { id } }`, nil, &out)
	if stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED {
		return true, s.shop, nil
	} else if err != nil {
		return false, shop, fmt.Errorf("confirm the uninstall of %s with Shopify: %w", shop.Domain, err)
	}
	return false, s.shop, nil
}

// uninstallPrecedesInstall reports whether the app/uninstalled in rc came
// before the shop's latest install, comparing times of one clock only.
func uninstallPrecedesInstall(shop *stockbell.Shop, rc *stockbell.WebhookReceipt) bool {
	switch {
	case rc.TriggeredAt.Equal(rc.ReceivedAt):
		// No X-Shopify-Triggered-At: the receipt's only time is its
		// receive time, by Stockbell's clock like InstalledAt. Received
		// before the install, it was triggered before it too.
		return rc.ReceivedAt.Before(shop.InstalledAt)
	case shop.PlatformInstalledAt != nil:
		return rc.TriggeredAt.Before(*shop.PlatformInstalledAt)
	default:
		// Shops installed before Shopify's time of the install was kept
		// have only Stockbell's: it stands in, across the clocks' gap,
		// until the shop's next install records Shopify's.
		return rc.TriggeredAt.Before(shop.InstalledAt)
	}
}

// changeTime is when Shopify says the change happened: the payload's
// updated_at, else the receipt's X-Shopify-Triggered-At. A receipt without
// that header has its receive time there, by Stockbell's clock, which must
// not order changes: then the change has no time (zero).
func changeTime(updatedAt string, rc *stockbell.WebhookReceipt) time.Time {
	if t, err := parseTime(updatedAt); err == nil && !t.IsZero() {
		return t
	}
	if rc.TriggeredAt.Equal(rc.ReceivedAt) {
		return time.Time{}
	}
	return rc.TriggeredAt
}

func ignoreNotFound(err error) error {
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	}
	return err
}

// topicEnum turns a topic into the GraphQL WebhookSubscriptionTopic value.
func topicEnum(topic string) string {
	return strings.ToUpper(strings.NewReplacer("/", "_").Replace(topic))
}
