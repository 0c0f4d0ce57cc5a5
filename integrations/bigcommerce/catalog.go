package bigcommerce

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// CatalogSource names catalog syncs in the sync log.
const CatalogSource = "bigcommerce:catalog"

// SyncCatalog serves BigCommerceCatalogSyncJob. For ShopID 0 (the hourly
// fan-out) it queues the sync of each installed store whose hour it is
// (stockbell.CatalogResyncDue), so that a product webhook lost (a hook
// BigCommerce deactivated, say) is caught within a day. For a store it
// pages through every product with its variants, reads their levels from
// the Inventory API a page at a time, upserts them, marks deleted the
// products the store no longer lists (deleteVanished), and records the
// sync in the shop's sync log. A 403 ends the job (stopIfForbidden); any
// other failure is recorded with what BigCommerce answered and what to
// check (recordCatalogFailure), and the job is retried.
func (in *Integration) SyncCatalog(ctx context.Context, job stockbell.BigCommerceCatalogSyncJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOutResync(ctx)
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	shop, sess, err := in.activeSession(ctx, job.ShopID)
	if sess == nil || err != nil {
		return err
	}
	report := stockbell.SyncReport{ShopID: shop.ID, Source: CatalogSource, StartedAt: in.Clock.Now()}
	began, err := in.Catalog.BeginStockRead(ctx) // before the listing: what vanished is judged against it
	if err != nil {
		return in.recordCatalogFailure(ctx, shop, report.StartedAt, err)
	}
	seen := map[string]bool{}
	err = sess.eachProducts(ctx, func(page []apiProduct) error {
		read, err := in.Catalog.BeginStockRead(ctx)
		if err != nil {
			return err
		}
		levels, err := sess.levelsOf(ctx, page)
		if err != nil {
			return &hookStepError{step: "read the inventory levels of the store's products", domain: shop.Domain, err: err}
		}
		for i := range page {
			up := productUpsert(shop, &page[i], levels)
			up.Read, up.Source = &read, CatalogSource
			if _, err := in.Catalog.UpsertProduct(ctx, up); err != nil {
				return fmt.Errorf("upsert product %s of %s: %w", up.PlatformID, shop.Domain, err)
			}
			seen[up.PlatformID] = true
			report.Items += len(up.Variants)
		}
		return nil
	})
	if stopped, err2 := in.stopIfForbidden(ctx, shop, CatalogSource, report.StartedAt, err); stopped {
		return err2
	} else if err != nil {
		return in.recordCatalogFailure(ctx, shop, report.StartedAt, err)
	}
	if report.Unpublished, err = in.deleteVanished(ctx, shop, seen, began); err != nil {
		return stockbell.RecordSweepFailure(ctx, in.SyncLog, in.Logger, shop, report, in.Clock.Now(), err)
	}
	report.FinishedAt = in.Clock.Now()
	report.Stored = report.Items // each one read was upserted
	in.Logger.InfoContext(ctx, "bigcommerce catalog synced", "shop", shop.Domain, "variants", report.Items, "vanished_products", report.Unpublished)
	return in.SyncLog.RecordSync(ctx, report)
}

// untilSynced says what holds until a catalog sync succeeds.
const untilSynced = " Until a sync succeeds, the catalog keeps what the last sync and the store's webhooks gave it. " +
	"The sync is tried again."

// recordCatalogFailure records in the shop's sync log a catalog sync
// begun at started that failed with err (other than a 403, and before
// its sweep, which records its own), saying what BigCommerce answered and
// what to check, and returns err, for the job to be retried.
func (in *Integration) recordCatalogFailure(ctx context.Context, shop *stockbell.Shop, started time.Time, err error) error {
	in.Logger.WarnContext(ctx, "bigcommerce catalog sync failed", "store", shop.Domain, "err", err)
	reason := requestFailure(err, "read the store's products", "", untilSynced)
	err = fmt.Errorf("catalog sync of %s: %w", shop.Domain, err)
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, CatalogSource, started, in.Clock.Now(), reason, err)
}

// fanOutResync queues the periodic catalog sync of each installed store
// whose hour it is.
func (in *Integration) fanOutResync(ctx context.Context) error {
	now := in.Clock.Now()
	return in.fanOut(ctx, func(shop *stockbell.Shop) stockbell.JobArgs {
		if !stockbell.CatalogResyncDue(shop, now) {
			return nil
		}
		return stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}
	})
}

// inventoryRead is what one read of the Inventory API found: the items by
// product, and BigCommerce's clock when it answered (the levels' time).
type inventoryRead struct {
	items map[int64][]apiInventoryItem
	at    time.Time
}

// levelsOf reads the Inventory API's levels of the tracked products.
func (s *session) levelsOf(ctx context.Context, products []apiProduct) (inventoryRead, error) {
	var ids []int64
	for _, p := range products {
		if p.InventoryTracking != TrackingNone {
			ids = append(ids, p.ID)
		}
	}
	read := inventoryRead{items: map[int64][]apiInventoryItem{}}
	if len(ids) == 0 {
		return read, nil
	}
	items, at, err := s.inventory(ctx, ids)
	for _, it := range items {
		read.items[it.Identity.ProductID] = append(read.items[it.Identity.ProductID], it)
	}
	read.at = at
	return read, err
}

// deleteVanished marks deleted the shop's products a complete sync begun
// with `began` no longer listed (their store/product/deleted webhook was
// missed), except those a read begun since found: a product created while
// the listing was read is missing from it, but its webhook found it.
func (in *Integration) deleteVanished(ctx context.Context, shop *stockbell.Shop, seen map[string]bool, began stockbell.StockRead) (int, error) {
	return stockbell.DeleteVanishedProducts(ctx, in.Catalog, shop.ID, seen, began)
}

// productUpsert maps a product and its inventory items. Stock follows the
// product's inventory_tracking: none (not tracked: always available),
// product (every variant has the product's levels) or variant (each its
// own). A level is available_to_sell at an enabled location; without an
// Inventory API item, the catalog's inventory_level at one location. A
// product is read with every variant it has (include=variants), so the
// upsert lists all of them (AllVariants): a variant removed in the store
// is marked deleted.
func productUpsert(shop *stockbell.Shop, p *apiProduct, read inventoryRead) stockbell.ProductUpsert {
	items := read.items
	up := stockbell.ProductUpsert{
		ShopID: shop.ID, PlatformID: strconv.FormatInt(p.ID, 10), Title: p.Name,
		Handle: strings.Trim(p.CustomURL.URL, "/"), URL: storefrontURL(shop, p.CustomURL.URL),
		ImageURL: thumbnail(p.Images), Published: p.IsVisible && p.Availability != "disabled",
		UpdatedAt: parseTime(p.DateModified), AllVariants: true,
	}
	byVariant := map[int64][]stockbell.LocationLevel{}
	for _, it := range items[p.ID] {
		byVariant[it.Identity.VariantID] = locationLevels(it.Locations, read.at)
	}
	productLevels, ok := byVariant[p.BaseVariantID]
	if !ok && len(items[p.ID]) == 1 {
		productLevels, ok = locationLevels(items[p.ID][0].Locations, read.at), true
	}
	if !ok {
		productLevels = []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation, Available: p.InventoryLevel}}
	}
	for _, v := range p.Variants {
		vu := variantUpsert(p, &v, up)
		switch p.InventoryTracking {
		case TrackingNone:
			vu.Tracked, vu.Levels = false, []stockbell.LocationLevel{}
		case TrackingProduct:
			vu.Levels = productLevels
		default:
			if vu.Levels, ok = byVariant[v.ID]; !ok {
				vu.Levels = []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation, Available: v.InventoryLevel}}
			}
		}
		up.Variants = append(up.Variants, vu)
	}
	return up
}

func variantUpsert(p *apiProduct, v *apiVariant, up stockbell.ProductUpsert) stockbell.VariantUpsert {
	vu := stockbell.VariantUpsert{
		PlatformID: strconv.FormatInt(v.ID, 10), Title: variantTitle(p, v), SKU: v.SKU, URL: up.URL,
		ImageURL: up.ImageURL, Price: string(v.CalculatedPrice), Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
	}
	if v.SKUID != nil {
		vu.InventoryItemID = strconv.FormatInt(*v.SKUID, 10)
	}
	if v.ImageURL != "" {
		vu.ImageURL = v.ImageURL
	}
	if v.Price != nil && *v.Price != "" {
		vu.Price = string(*v.Price)
	} else if vu.Price == "" {
		vu.Price = string(p.Price)
	}
	if p.Availability == "preorder" { // preorders are taken whatever the stock
		vu.InventoryPolicy = stockbell.InventoryContinue
	}
	return vu
}

// locationLevels are the enabled locations' available_to_sell, at the
// platform's time of the read.
func locationLevels(locations []apiLocationLevel, at time.Time) []stockbell.LocationLevel {
	out := []stockbell.LocationLevel{}
	for _, l := range locations {
		if l.LocationEnabled != nil && !*l.LocationEnabled {
			continue
		}
		out = append(out, stockbell.LocationLevel{LocationID: strconv.FormatInt(l.LocationID, 10), Available: l.AvailableToSell, UpdatedAt: at})
	}
	return out
}

// variantTitle is the variant's option labels ("Small / Red"), or the
// product's name for a product without options.
func variantTitle(p *apiProduct, v *apiVariant) string {
	labels := make([]string, 0, len(v.OptionValues))
	for _, o := range v.OptionValues {
		labels = append(labels, o.Label)
	}
	if len(labels) == 0 {
		return p.Name
	}
	return strings.Join(labels, " / ")
}

func thumbnail(images []apiImage) string {
	for _, img := range images {
		if img.IsThumbnail {
			return img.URLStandard
		}
	}
	if len(images) > 0 {
		return images[0].URLStandard
	}
	return ""
}

// storefrontURL is a product's page: its custom URL on the store's primary
// domain, or on its permanent store-{hash}.mybigcommerce.com address.
func storefrontURL(shop *stockbell.Shop, path string) string {
	host := shop.PrimaryDomain
	if host == "" {
		host = "store-" + stockbell.StoreHash(shop.Domain) + ".mybigcommerce.com"
	}
	if path == "" {
		return ""
	}
	return "https://" + host + "/" + strings.TrimLeft(path, "/")
}

// parseTime reads BigCommerce's RFC 3339 dates (zero when absent).
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
