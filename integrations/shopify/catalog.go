package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// CatalogSyncTimeout bounds one attempt of a shop's catalog sync. The
// sync is bound by the shop's cost bucket: a page of 25 variants with one
// or two locations costs about 300 points, so 50,000 variants (2,000
// pages, about 600,000 points) take about 100 minutes at the Standard
// plan's 100 points a second (50 at Advanced's 200, 10 at Plus's 1,000).
// Four hours lets a Standard shop of about 120,000 variants finish; a
// sync cut short is retried from its first page.
const CatalogSyncTimeout = 4 * time.Hour

// variantRecord is one variant as the Admin API describes it, with its
// inventory item and every one of the item's levels.
type variantRecord struct {
	variant gqlVariant
	item    gqlItem
}

// SyncCatalog serves ShopifyCatalogSyncJob. For ShopID 0 (the hourly
// fan-out) it queues the webhook registration and the sync of each
// installed shop whose hour it is (stockbell.CatalogResyncDue), so that a
// products webhook Shopify gave up on, or a subscription it removed, is
// caught within a day. For a shop it pages through every variant
// with its product and per-location levels and upserts them (syncPages),
// marks deleted the products Shopify no longer lists and then the variants
// it no longer lists of the products it kept (deleteVanishedVariants), and
// records the sync in the shop's sync log (CatalogSource), a refusal
// included (stopIfRefused). A 401 for a token the shop no longer holds
// is retried unrecorded; any other failure is recorded with what Shopify
// answered and what to check (recordCatalogFailure), and the job is
// retried.
func (in *Integration) SyncCatalog(ctx context.Context, job stockbell.ShopifyCatalogSyncJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOutResync(ctx)
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	sess, err := in.activeSession(ctx, job.ShopID)
	if sess == nil || err != nil {
		return err
	}
	shop := sess.shop
	report := stockbell.SyncReport{ShopID: shop.ID, Source: CatalogSource, StartedAt: in.Clock.Now()}
	began, err := in.Catalog.BeginStockRead(ctx) // before the listing: what vanished is judged against it
	if err != nil {
		return in.recordCatalogFailure(ctx, shop, report.StartedAt, err)
	}
	seen := map[string]bool{}     // products Shopify listed in this sync
	variants := map[string]bool{} // and their variants
	err = in.syncPages(ctx, sess, pageListing{products: seen, variants: variants}, &report)
	if stopped, err2 := in.stopIfRefused(ctx, sess, CatalogSource, report.StartedAt, err); stopped {
		return err2
	} else if stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED {
		return err // the shop was installed again meanwhile: retried with its new token
	} else if errors.As(err, new(fieldMissingError)) {
		return in.recordFieldMissing(ctx, shop, CatalogSource, report.StartedAt, err)
	} else if err != nil {
		return in.recordCatalogFailure(ctx, shop, report.StartedAt, err)
	}
	if report.Unpublished, err = in.deleteVanished(ctx, shop, seen, began); err != nil {
		return stockbell.RecordSweepFailure(ctx, in.SyncLog, in.Logger, shop, report, in.Clock.Now(), err)
	}
	if err := in.deleteVanishedVariants(ctx, shop, variants, began); err != nil {
		return stockbell.RecordSweepFailure(ctx, in.SyncLog, in.Logger, shop, report, in.Clock.Now(), err)
	}
	report.FinishedAt = in.Clock.Now()
	report.Stored = report.Items // each one read was upserted
	in.Logger.InfoContext(ctx, "shopify catalog synced", "shop", shop.Domain, "variants", report.Items, "vanished_products", report.Unpublished)
	return in.SyncLog.RecordSync(ctx, report)
}

// untilSynced says what holds until a catalog sync succeeds.
const untilSynced = " Until a sync succeeds, the catalog keeps what the last sync and the shop's webhooks gave it. " +
	"The sync is tried again."

// recordCatalogFailure records in the shop's sync log a catalog sync
// begun at started that failed with err (other than a refusal or a
// missing field, recorded as they are, and before its sweep, which
// records its own), saying what Shopify answered and what to check, and
// returns err, for the job to be retried.
func (in *Integration) recordCatalogFailure(ctx context.Context, shop *stockbell.Shop, started time.Time, err error) error {
	in.Logger.WarnContext(ctx, "shopify catalog sync failed", "shop", shop.Domain, "err", err)
	reason := requestFailure(err, "read the shop's variants", in.webhookAddress(), untilSynced)
	err = fmt.Errorf("catalog sync of %s: %w", shop.Domain, err)
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, CatalogSource, started, in.Clock.Now(), reason, err)
}

// fanOutResync queues, for each installed shop whose hour it is, its
// webhook registration, which creates again the subscriptions Shopify
// removed after their deliveries kept failing, then its catalog sync.
func (in *Integration) fanOutResync(ctx context.Context) error {
	now := in.Clock.Now()
	due := func(job func(shopID int64) stockbell.JobArgs) func(*stockbell.Shop) stockbell.JobArgs {
		return func(shop *stockbell.Shop) stockbell.JobArgs {
			if !stockbell.CatalogResyncDue(shop, now) {
				return nil
			}
			return job(shop.ID)
		}
	}
	err := in.fanOut(ctx, due(func(id int64) stockbell.JobArgs { return stockbell.ShopifyRegisterWebhooksJob{ShopID: id} }))
	if err != nil {
		return err
	}
	return in.fanOut(ctx, due(func(id int64) stockbell.JobArgs { return stockbell.ShopifyCatalogSyncJob{ShopID: id} }))
}

// pageListing notes what the sync's pages listed, by platform id.
type pageListing struct{ products, variants map[string]bool }

// syncPages reads every variant page and upserts it, one product's
// variants of a page at a time, noting the products and variants it lists
// in listed and counting the variants in the report's Items. Each page is a read of
// Shopify begun before its query is sent; its levels carry Shopify's
// InventoryLevel.updatedAt, so the store orders them against webhooks by
// Shopify's clock alone.
func (in *Integration) syncPages(ctx context.Context, sess *adminSession, listed pageListing, report *stockbell.SyncReport) error {
	shop, after := sess.shop, ""
	for {
		var data struct {
			ProductVariants struct {
				PageInfo pageInfo     `json:"pageInfo"`
				Nodes    []gqlVariant `json:"nodes"`
			} `json:"productVariants"`
		}
		read, err := in.Catalog.BeginStockRead(ctx)
		if err != nil {
			return err
		}
		if err := sess.query(ctx, variantsQuery, map[string]any{"after": nullable(after)}, &data); err != nil {
			return &registrationStepError{step: "read the shop's variants", err: err}
		}
		records, err := sess.recordsOf(ctx, data.ProductVariants.Nodes)
		if err != nil {
			return &registrationStepError{step: "read the inventory levels of the shop's variants", err: err}
		}
		if err := in.upsertRecords(ctx, shop, records, read, CatalogSource, nil); err != nil {
			return err
		}
		for _, r := range records {
			listed.products[r.variant.Product.LegacyResourceID] = true
		}
		for _, v := range data.ProductVariants.Nodes {
			listed.variants[v.LegacyResourceID] = true
		}
		report.Items += len(records)
		if !data.ProductVariants.PageInfo.HasNextPage {
			return nil
		}
		after = data.ProductVariants.PageInfo.EndCursor
	}
}

// deleteVanished marks deleted the shop's products that a complete sync
// begun with `began` no longer listed: their products/delete webhook was
// missed, and their subscribers must not wait for a restock that cannot
// come. A product a read or webhook found since the sync began is kept:
// one created while the listing was read is missing from it.
func (in *Integration) deleteVanished(ctx context.Context, shop *stockbell.Shop, seen map[string]bool, began stockbell.StockRead) (int, error) {
	return stockbell.DeleteVanishedProducts(ctx, in.Catalog, shop.ID, seen, began)
}

// deleteVanishedVariants marks deleted the variants of kept products that
// a complete sync begun with `began` no longer listed: removed from their
// product in Shopify (a products/update webhook missed). The sync pages
// variants, not products, so this is judged only once every page was
// read. A variant a read or webhook found since the sync began is kept. A
// listing of no variant at all deletes none: it says more of the listing
// than of the shop's products.
func (in *Integration) deleteVanishedVariants(ctx context.Context, shop *stockbell.Shop, listed map[string]bool, began stockbell.StockRead) error {
	if len(listed) == 0 {
		return nil
	}
	n, err := stockbell.DeleteVanishedVariants(ctx, in.Catalog, shop.ID, listed, began)
	if n > 0 {
		in.Logger.InfoContext(ctx, "shopify variants removed from their products", "shop", shop.Domain, "variants", n)
	}
	return err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// recordsOf completes each variant's levels beyond the first page. A
// variant whose item Shopify deleted while its levels were read is left
// out: its first levels alone would understate its stock, and its
// product's webhooks, or the next sync, tell of its deletion. A variant
// answered without the inventoryItem field, which Shopify's schema never
// leaves null, is an error (fieldMissing): the page is not stored, nor
// its variants taken as listed.
func (s *adminSession) recordsOf(ctx context.Context, nodes []gqlVariant) ([]variantRecord, error) {
	records := make([]variantRecord, 0, len(nodes))
	for _, v := range nodes {
		item, answered, err := itemOf(v)
		if err != nil {
			return nil, err
		}
		if !answered {
			continue
		}
		gone, err := s.completeLevels(ctx, &item)
		if err != nil {
			return nil, err
		}
		if !gone {
			records = append(records, variantRecord{variant: v, item: item})
		}
	}
	return records, nil
}

// itemOf decodes the inventory item a page of variants answered with v;
// answered is false for an item answered null, left out. An answer
// without the field is an error (fieldMissing).
func itemOf(v gqlVariant) (item gqlItem, answered bool, err error) {
	null, err := decodeField(v.InventoryItem, "the listing of variant "+v.LegacyResourceID, "inventoryItem", &item)
	return item, !null && err == nil, err
}

// completeLevels pages the item's levels beyond the first page. gone:
// Shopify answered the item null meanwhile (deleted since the first page
// was read), and item holds only the levels read before. An answer
// without the inventoryItem field is an error (fieldMissing).
func (s *adminSession) completeLevels(ctx context.Context, item *gqlItem) (gone bool, err error) {
	for item.InventoryLevels.PageInfo.HasNextPage {
		var page gqlItem
		vars := map[string]any{"id": item.ID, "after": item.InventoryLevels.PageInfo.EndCursor}
		question := "the read of inventory item " + legacyID(item.ID) + "'s levels past the first page"
		if gone, err := s.queryItem(ctx, itemLevelsQuery, vars, question, &page); gone || err != nil {
			return gone, err
		}
		item.InventoryLevels.Nodes = append(item.InventoryLevels.Nodes, page.InventoryLevels.Nodes...)
		item.InventoryLevels.PageInfo = page.InventoryLevels.PageInfo
	}
	return false, nil
}

// completeVariants pages the variants the item backs past the first page;
// gone and the errors as completeLevels.
func (s *adminSession) completeVariants(ctx context.Context, item *gqlItem) (gone bool, err error) {
	for item.Variants.PageInfo.HasNextPage {
		var page gqlItem
		vars := map[string]any{"id": item.ID, "variantsAfter": item.Variants.PageInfo.EndCursor}
		question := "the read of the variants of inventory item " + legacyID(item.ID) + " past the first page"
		if gone, err := s.queryItem(ctx, itemVariantsQuery, vars, question, &page); gone || err != nil {
			return gone, err
		}
		item.Variants.Nodes = append(item.Variants.Nodes, page.Variants.Nodes...)
		item.Variants.PageInfo = page.Variants.PageInfo
	}
	return false, nil
}

// queryItem asks an inventoryItem(id:) query, document, and decodes the
// item into item. gone: Shopify answered null (the shop has no such item,
// or no longer has it). An answer without the field is an error
// (fieldMissing, naming question).
func (s *adminSession) queryItem(ctx context.Context, document string, vars map[string]any, question string, item *gqlItem) (gone bool, err error) {
	var data struct {
		InventoryItem json.RawMessage `json:"inventoryItem"`
	}
	if err := s.query(ctx, document, vars, &data); err != nil {
		return false, err
	}
	return decodeField(data.InventoryItem, question, "inventoryItem", item)
}

// decodeField decodes into target the field of an answer to question.
// null: Shopify answered null. An answer without the field is an error
// (fieldMissing), as is one that does not decode.
func decodeField(raw json.RawMessage, question, field string, target any) (null bool, err error) {
	switch answerOf(raw) {
	case fieldAbsent:
		return false, fieldMissing(question, field)
	case fieldNull:
		return true, nil
	}
	if err := json.Unmarshal(raw, target); err != nil {
		return false, fmt.Errorf("shopify admin api: decode %s: %w", question, err)
	}
	return false, nil
}

// fetchItem reads one inventory item with all its levels and every
// variant it backs (several when variants share it), each with its
// product: one record per variant. gone: Shopify answered the item null
// (the shop has no such item, or no longer has it, deleted while it was
// read), and there are no records. An answer without the inventoryItem
// field is an error (fieldMissing).
func (s *adminSession) fetchItem(ctx context.Context, itemID string) (records []variantRecord, gone bool, err error) {
	var item gqlItem
	vars := map[string]any{"id": gid("InventoryItem", itemID)}
	if gone, err := s.queryItem(ctx, inventoryItemQuery, vars, "the read of inventory item "+itemID, &item); gone || err != nil {
		return nil, gone, err
	}
	if gone, err := s.completeVariants(ctx, &item); gone || err != nil {
		return nil, gone, err
	}
	if gone, err := s.completeLevels(ctx, &item); gone || err != nil {
		return nil, gone, err
	}
	records = make([]variantRecord, len(item.Variants.Nodes))
	for i, v := range item.Variants.Nodes {
		records[i] = variantRecord{variant: v, item: item}
	}
	return records, false, nil
}

// upsertRecords upserts the records of one read grouped by product, in
// page order; the read's success, when given (recovered), is recorded with
// the first product's upsert (ProductUpsert.Recovered).
func (in *Integration) upsertRecords(ctx context.Context, shop *stockbell.Shop, records []variantRecord, read stockbell.StockRead, source string, recovered *stockbell.SyncReport) error {
	var order []string
	byProduct := map[string]*stockbell.ProductUpsert{}
	for _, r := range records {
		pid := r.variant.Product.LegacyResourceID
		up, ok := byProduct[pid]
		if !ok {
			up = productUpsert(shop, r.variant.Product)
			up.Read, up.Source = &read, source
			if len(order) == 0 {
				up.Recovered = recovered
			}
			byProduct[pid] = up
			order = append(order, pid)
		}
		up.Variants = append(up.Variants, variantUpsert(up, r))
	}
	for _, pid := range order {
		if _, err := in.Catalog.UpsertProduct(ctx, *byProduct[pid]); err != nil {
			return fmt.Errorf("upsert product %s of %s: %w", pid, shop.Domain, err)
		}
	}
	return nil
}

// productUpsert is the product as read, at Shopify's updatedAt (so that a
// products/update webhook is ordered against it by Shopify's clock alone).
func productUpsert(shop *stockbell.Shop, p gqlProduct) *stockbell.ProductUpsert {
	up := &stockbell.ProductUpsert{
		ShopID: shop.ID, PlatformID: p.LegacyResourceID, Title: p.Title, Handle: p.Handle,
		URL:       productURL(shop, p.Handle),
		Published: strings.EqualFold(p.Status, "ACTIVE") && p.PublishedAt != nil,
		UpdatedAt: platformTime(p.UpdatedAt),
	}
	if p.OnlineStoreURL != nil && *p.OnlineStoreURL != "" {
		up.URL = *p.OnlineStoreURL
	}
	if p.FeaturedImage != nil {
		up.ImageURL = p.FeaturedImage.URL
	}
	return up
}

func variantUpsert(product *stockbell.ProductUpsert, r variantRecord) stockbell.VariantUpsert {
	v := stockbell.VariantUpsert{
		PlatformID: r.variant.LegacyResourceID, InventoryItemID: r.item.LegacyResourceID,
		Title: r.variant.Title, SKU: r.variant.SKU, Price: r.variant.Price,
		URL:             variantURL(product.URL, r.variant.LegacyResourceID),
		ImageURL:        product.ImageURL,
		InventoryPolicy: inventoryPolicy(r.variant.InventoryPolicy),
		Tracked:         r.item.Tracked,
		Levels:          levelsOf(r.item.InventoryLevels),
	}
	if r.variant.Image != nil && r.variant.Image.URL != "" {
		v.ImageURL = r.variant.Image.URL
	}
	return v
}

// levelsOf returns the available quantity per location with Shopify's
// time of each level (never nil, so an item stocked nowhere has its levels
// cleared).
func levelsOf(levels gqlLevels) []stockbell.LocationLevel {
	out := []stockbell.LocationLevel{}
	for _, n := range levels.Nodes {
		level := stockbell.LocationLevel{LocationID: legacyID(n.Location.ID), UpdatedAt: platformTime(n.UpdatedAt)}
		for _, q := range n.Quantities {
			if q.Name == "available" {
				level.Available = q.Quantity
			}
		}
		out = append(out, level)
	}
	return out
}

func inventoryPolicy(p string) stockbell.InventoryPolicy {
	if strings.EqualFold(p, "continue") {
		return stockbell.InventoryContinue
	}
	return stockbell.InventoryDeny
}

// productURL is the product's page on the shop's storefront.
func productURL(shop *stockbell.Shop, handle string) string {
	host := shop.PrimaryDomain
	if host == "" {
		host = shop.Domain
	}
	return "https://" + host + "/products/" + url.PathEscape(handle)
}

func variantURL(productURL, variantID string) string {
	if productURL == "" {
		return ""
	}
	return productURL + "?variant=" + variantID
}
