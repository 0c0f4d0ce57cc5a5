package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// productVariantsQuery lists a product's variants by id, 250 a page (the
// most a connection gives). Its requested cost is about 253 points (the
// product 1, the connection 2 + 250, ids costing nothing), a quarter of
// the 1,000-point single-query limit; a product of 2,048 variants, the
// most Shopify allows, takes nine pages.
const productVariantsQuery = `query StockbellProductVariants($id:ID!, $after:String){ product(id:$id){
  id variants(first:250, after:$after){ pageInfo{ hasNextPage endCursor } nodes{ legacyResourceId } } } }`

// productVariantRecordsQuery reads a product's variants as the catalog
// sync reads each (variantRecordFields), 25 a page as the sync's pages
// are: about 400 points a page, so a product of 2,048 variants takes 82
// pages.
const productVariantRecordsQuery = `query StockbellProductVariantRecords($id:ID!, $after:String){ product(id:$id){
  id variants(first:25, after:$after){ pageInfo{ hasNextPage endCursor } nodes{ ` + variantRecordFields + ` } } } }`

// ProductVariantsTimeout bounds one attempt of a ShopifyProductVariantsJob.
// A products/create's read of a product of 2,048 variants (Shopify's
// most) is 82 pages of about 300 to 400 points: 25,000 to 33,000 points,
// four to six minutes at a Standard shop's 100 points a second once its
// bucket is spent. Twenty minutes lets it finish while a catalog sync or
// a reconciliation of the same shop spends half the bucket; an attempt
// cut short is retried from the first page.
const ProductVariantsTimeout = 20 * time.Minute

// ReadProductVariants serves ShopifyProductVariantsJob: it completes a
// products/create by storing the variants its payload did not list
// (storeVariantsBeyondPayload) and a products/update by marking deleted
// the variants removed from the product (deleteRemovedVariants). A job
// for a shop erased or uninstalled does nothing, one meeting its shop's
// erase ends so too (EndIfShopErased), as does one for a
// product Shopify no longer has. Only its failures are in the sync log
// (ProductVariantsSource), and the run that ends one: Shopify's refusal
// (stopIfRefused) ends the job without a retry, as it does the catalog
// sync's and the stock check's.
func (in *Integration) ReadProductVariants(ctx context.Context, job stockbell.ShopifyProductVariantsJob) (err error) {
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	sess, err := in.activeSession(ctx, job.ShopID)
	if sess == nil || err != nil {
		return err
	}
	var read func(context.Context, *adminSession, string) (int, error)
	switch job.Topic {
	case TopicProductsCreate:
		read = in.storeVariantsBeyondPayload
	case TopicProductsUpdate:
		read = in.deleteRemovedVariants
	default:
		in.Logger.WarnContext(ctx, "shopify product variants job of an unknown topic dropped", "shop", sess.shop.Domain, "topic", job.Topic)
		return nil
	}
	started := in.Clock.Now()
	items, err := read(ctx, sess, job.ProductID)
	if stopped, err2 := in.stopIfRefused(ctx, sess, ProductVariantsSource, started, err); stopped {
		return err2
	} else if err != nil {
		return in.recordFieldMissing(ctx, sess.shop, ProductVariantsSource, started, err)
	}
	return stockbell.RecordRecovered(ctx, in.SyncLog, sess.shop.ID, ProductVariantsSource, started, in.Clock.Now(), items)
}

// deleteRemovedVariants completes a products/update whose payload may
// list only some of the product's variants (webhookVariantsWhole or
// more): it lists the product's variants through the Admin API, a read
// begun after the payload was applied, and marks deleted the product's
// stored variants the listing does not name, unless a read begun since
// found them (CatalogService.DeleteVanishedVariant). A product Shopify no
// longer has is left to its products/delete. It returns how many
// variants the listing named.
func (in *Integration) deleteRemovedVariants(ctx context.Context, sess *adminSession, productID string) (int, error) {
	read, err := in.Catalog.BeginStockRead(ctx)
	if err != nil {
		return 0, err
	}
	listed, err := sess.productVariantIDs(ctx, productID)
	if err != nil || listed == nil {
		return 0, err
	}
	shop := sess.shop
	stored, err := in.storedVariantsOf(ctx, shop.ID, productID)
	if err != nil {
		return 0, err
	}
	for _, v := range stored {
		if v.VariantDeleted || listed[v.PlatformID] {
			continue
		}
		if _, err := in.Catalog.DeleteVanishedVariant(ctx, shop.ID, v.PlatformID, read); ignoreNotFound(err) != nil {
			return 0, err
		}
	}
	return len(listed), nil
}

// storeVariantsBeyondPayload completes a products/create whose payload
// lists in full only some of the product's variants: it reads every
// variant of the product through the Admin API as the catalog sync reads
// them (with the product and the levels of each one's inventory item), a
// read begun before the first page was asked for, and upserts each page
// as it comes, so that a shopper may sign up for any of them at once
// rather than after their inventory webhooks or the daily catalog sync. A
// product Shopify no longer has is left to its products/delete. It
// returns how many variants it read.
func (in *Integration) storeVariantsBeyondPayload(ctx context.Context, sess *adminSession, productID string) (int, error) {
	read, err := in.Catalog.BeginStockRead(ctx)
	if err != nil {
		return 0, err
	}
	items := 0
	_, err = sess.eachProductVariantPage(ctx, productVariantRecordsQuery, productID, func(nodes []gqlVariant) error {
		records, err := sess.recordsOf(ctx, nodes)
		if err != nil {
			return err
		}
		items += len(nodes)
		return in.upsertRecords(ctx, sess.shop, records, read, "shopify:refresh", nil)
	})
	return items, err
}

// productVariantIDs lists every variant id of the product, page by page;
// nil when Shopify has no such product.
func (s *adminSession) productVariantIDs(ctx context.Context, productID string) (map[string]bool, error) {
	ids := map[string]bool{}
	found, err := s.eachProductVariantPage(ctx, productVariantsQuery, productID, func(nodes []gqlVariant) error {
		for _, v := range nodes {
			ids[v.LegacyResourceID] = true
		}
		return nil
	})
	if !found || err != nil {
		return nil, err
	}
	return ids, nil
}

// eachProductVariantPage pages the product's variants with document (a
// product(id:){ variants } query: productVariantsQuery or
// productVariantRecordsQuery), handing each page's variants to page. It
// reports false when Shopify answers the product null (it has no such
// product, or deleted it while its pages were read: the pages handed
// stand, and what a listing judges, deleteRemovedVariants, is not judged).
// An answer without the product field is an error (fieldMissing).
func (s *adminSession) eachProductVariantPage(ctx context.Context, document, productID string, page func([]gqlVariant) error) (bool, error) {
	for after := ""; ; {
		var data struct {
			Product json.RawMessage `json:"product"`
		}
		vars := map[string]any{"id": gid("Product", productID), "after": nullable(after)}
		if err := s.query(ctx, document, vars, &data); err != nil {
			return false, fmt.Errorf("variants of product %s of %s: %w", productID, s.shop.Domain, err)
		}
		var product struct {
			Variants gqlVariants `json:"variants"`
		}
		if null, err := decodeField(data.Product, "the read of product "+productID+"'s variants", "product", &product); null || err != nil {
			return false, err
		}
		if err := page(product.Variants.Nodes); err != nil {
			return true, err
		}
		if !product.Variants.PageInfo.HasNextPage {
			return true, nil
		}
		after = product.Variants.PageInfo.EndCursor
	}
}

// storedVariantsOf returns the shop's stored variants of a product.
func (in *Integration) storedVariantsOf(ctx context.Context, shopID int64, productID string) ([]*stockbell.VariantWithProduct, error) {
	const page = 1000
	var out []*stockbell.VariantWithProduct
	for offset := 0; ; offset += page {
		variants, _, err := in.Catalog.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shopID, ProductPlatformID: &productID, Offset: offset, Limit: page})
		if err != nil {
			return nil, err
		}
		out = append(out, variants...)
		if len(variants) < page {
			return out, nil
		}
	}
}
