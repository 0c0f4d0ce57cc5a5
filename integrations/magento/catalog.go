package magento

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Sources of catalog and stock reads in the sync log and activity events.
const (
	CatalogSource   = "magento:catalog"
	ReconcileSource = "magento:reconcile"
	ModuleSource    = "magento:module"
	RereadSource    = "magento:reread"
)

// Magento product types Stockbell reads as products of their own.
const (
	typeSimple       = "simple"
	typeVirtual      = "virtual"
	typeConfigurable = "configurable"
	visibilityNone   = 1 // "Not Visible Individually": a configurable's child
)

// SyncCatalog serves MagentoCatalogSyncJob. For ShopID 0 (the daily run)
// it queues one job per installed store not synced just before
// (dailySyncDue). For a store it pages through
// /V1/products with searchCriteria, reads each sellable product's
// variants (a configurable product's children, a simple product itself)
// with their stock, upserts them, marks deleted the products the store no
// longer lists, and records the sync in the shop's sync log. A refusal
// is recorded and ends the job (stopIfRefused); credentials the store no
// longer holds are retried unrecorded; any other failure is recorded with
// what the store answered and what to check (recordCatalogFailure), and
// the job is retried.
func (in *Integration) SyncCatalog(ctx context.Context, job stockbell.MagentoCatalogSyncJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOut(ctx, in.dailySyncDue)
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	shop, cred, err := in.activeShop(ctx, job.ShopID)
	if shop == nil || err != nil {
		return err
	}
	in.recordCurrency(ctx, shop, cred)
	report := stockbell.SyncReport{ShopID: shop.ID, Source: CatalogSource, StartedAt: in.Clock.Now()}
	began, err := in.Catalog.BeginStockRead(ctx) // before the listing: what vanished is judged against it
	if err != nil {
		return in.recordCatalogFailure(ctx, shop, report.StartedAt, err)
	}
	listed := map[string]bool{}
	disabled, err := in.Client.disabledSources(ctx, cred)
	if err != nil {
		err = &stepError{step: "read the store's inventory sources", err: err}
	} else {
		err = in.Client.eachProductPage(ctx, cred, func(page []apiProduct) error {
			return in.refreshPage(ctx, shop, cred, disabled, page, listed, &report)
		})
	}
	if stopped, err2 := in.stopIfRefused(ctx, shop, CatalogSource, report.StartedAt, err); stopped {
		return err2
	} else if stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED {
		return err // activated again meanwhile: retried with its new credentials
	} else if err != nil {
		return in.recordCatalogFailure(ctx, shop, report.StartedAt, err)
	}
	if report.Unpublished, err = in.deleteVanished(ctx, shop, listed, began); err != nil {
		return stockbell.RecordSweepFailure(ctx, in.SyncLog, in.Logger, shop, report, in.Clock.Now(), err)
	}
	report.FinishedAt = in.Clock.Now()
	report.Stored = report.Items // each one read was upserted
	in.Logger.InfoContext(ctx, "magento catalog synced", "store", shop.Domain, "variants", report.Items, "deleted", report.Unpublished)
	return in.SyncLog.RecordSync(ctx, report)
}

// recordCurrency stores the store's base currency when it changed. A
// failed read is logged and leaves the stored one: the currency is only
// shown with prices, and the listing that follows meets a refused token.
func (in *Integration) recordCurrency(ctx context.Context, shop *stockbell.Shop, cred Credentials) {
	currency, err := in.Client.baseCurrency(ctx, cred)
	if err == nil && stockbell.NormalizeCurrency(currency) != shop.Currency {
		err = in.Shops.UpdateShopDetails(ctx, shop.ID, stockbell.ShopDetails{Currency: currency})
	}
	if err != nil {
		in.Logger.WarnContext(ctx, "magento base currency not read", "store", shop.Domain, "err", err)
	}
}

// refreshPage refreshes each product of a listed page (refreshProduct),
// adding those still there to listed and their variants to the report.
func (in *Integration) refreshPage(ctx context.Context, shop *stockbell.Shop, cred Credentials, disabled disabledSources,
	page []apiProduct, listed map[string]bool, report *stockbell.SyncReport) error {
	for i := range page {
		n, err := in.refreshProduct(ctx, shop, cred, disabled, &page[i], CatalogSource)
		if errors.Is(err, errVanished) {
			// Listed, then deleted before its stock was read: not
			// listed, so deleteVanished marks it as any product the
			// store no longer has.
			in.Logger.InfoContext(ctx, "magento product deleted during the catalog sync", "store", shop.Domain, "sku", page[i].SKU)
			continue
		} else if err != nil {
			return &stepError{step: "read the product " + page[i].SKU, err: err}
		}
		listed[strconv.FormatInt(page[i].ID, 10)] = true
		report.Items += n
	}
	return nil
}

// deleteVanished marks deleted the shop's stored products that a complete
// listing of the catalog, begun with `began`, no longer has: the merchant
// deleted them in Magento (its REST API tells of no deletion otherwise).
// A product a read begun since found is kept: created after the listing
// passed its id, it is missing from the listing but exists. Their
// subscribers are never notified. It returns how many it marked.
func (in *Integration) deleteVanished(ctx context.Context, shop *stockbell.Shop, listed map[string]bool, began stockbell.StockRead) (int, error) {
	return stockbell.DeleteVanishedProducts(ctx, in.Catalog, shop.ID, listed, began)
}

// errVanished is what refreshProduct returns for a product Magento
// deleted after the listing named it.
var errVanished = errors.New("the product was deleted in Magento after it was listed")

// refreshProduct reads a listed product's variants and their stock and
// upserts it; it returns the number of variants. A simple product that is
// not visible on its own is a configurable product's child: it is read
// with its parent. A product deleted since the listing is errVanished; a
// configurable product's child deleted since its children were read is
// left out of the upsert, as a child no longer listed is. The upsert lists
// every variant the product has (AllVariants): a child no longer listed
// is marked deleted, unless a read begun since this one found it (the
// read begins before the children are asked for). A configurable
// product's children's pages select their options (childPages).
func (in *Integration) refreshProduct(ctx context.Context, shop *stockbell.Shop, cred Credentials, disabled disabledSources, p *apiProduct, source string) (int, error) {
	read, err := in.Catalog.BeginStockRead(ctx)
	if err != nil {
		return 0, err
	}
	variants, err := in.variantsOf(ctx, cred, p)
	if err != nil || len(variants) == 0 {
		return 0, in.vanishedOr(ctx, cred, p.SKU, err)
	}
	up := stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: strconv.FormatInt(p.ID, 10), Title: p.Name,
		Handle: p.attribute("url_key"), Published: p.Status == 1, UpdatedAt: p.updatedAt(), Read: &read, Source: source,
		AllVariants: true}
	if up.Handle != "" {
		up.URL = cred.BaseURL + "/" + up.Handle + ".html"
	}
	pages := in.childPages(ctx, cred, p, up.URL, variants)
	for i := range variants {
		v, err := in.variantUpsert(ctx, cred, disabled, &variants[i])
		err = in.vanishedOr(ctx, cred, variants[i].SKU, err)
		if errors.Is(err, errVanished) && variants[i].SKU != p.SKU {
			continue
		} else if err != nil {
			return 0, err
		}
		v.URL = pages[v.SKU]
		up.Variants = append(up.Variants, v)
	}
	if len(up.Variants) == 0 {
		return 0, nil
	}
	_, err = in.Catalog.UpsertProduct(ctx, up)
	return len(up.Variants), err
}

// vanishedOr returns errVanished when err is a 404 and Magento no longer
// has the product sku either: deleted since it was listed. Any other
// error, a 404 about a product that still exists included (a missing
// route says nothing of the product), is returned as it is.
func (in *Integration) vanishedOr(ctx context.Context, cred Credentials, sku string, err error) error {
	if stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return err
	}
	_, perr := in.Client.product(ctx, cred, sku)
	switch {
	case stockbell.ErrorCode(perr) == stockbell.ENOTFOUND:
		return fmt.Errorf("%w: %w", errVanished, err)
	case perr != nil:
		return perr
	}
	return err
}

// variantsOf lists the products that are the variants of p: a
// configurable product's children, a simple or virtual product itself
// (unless it is only a child), nothing for other types.
func (in *Integration) variantsOf(ctx context.Context, cred Credentials, p *apiProduct) ([]apiProduct, error) {
	switch p.TypeID {
	case typeConfigurable:
		return in.Client.children(ctx, cred, p.SKU)
	case typeSimple, typeVirtual:
		if p.Visibility == visibilityNone {
			return nil, nil
		}
		return []apiProduct{*p}, nil
	}
	return nil, nil
}

// variantUpsert reads a variant's stock, its disabled sources left out;
// the variant's id is its SKU.
func (in *Integration) variantUpsert(ctx context.Context, cred Credentials, disabled disabledSources, p *apiProduct) (stockbell.VariantUpsert, error) {
	s, err := in.Client.stockOf(ctx, cred, p.SKU, disabled)
	if err != nil {
		return stockbell.VariantUpsert{}, fmt.Errorf("stock of %s: %w", p.SKU, err)
	}
	return stockbell.VariantUpsert{PlatformID: p.SKU, SKU: p.SKU, Title: strings.TrimSpace(p.Name),
		Price: strconv.FormatFloat(p.Price, 'f', -1, 64), InventoryPolicy: s.policy, Tracked: s.tracked, Levels: s.levels}, nil
}

// RecentCatalogSync is how recently a store's catalog sync may have
// finished for the daily run to pass the store over: the sync its
// activation queued, or one a post naming an unknown SKU asked for, has
// just read the whole catalog, and the daily run would read it again at
// once (at the leader's start-up, or its daily time, right after an
// activation). Half the daily interval: the store's catalog is then read
// at least every 36 hours, and the daily run never reads it twice within
// 12.
const RecentCatalogSync = 12 * time.Hour

// dailySyncDue is the daily run's sync of the store, or nil when a catalog
// sync of the store finished less than RecentCatalogSync ago. A sync
// queued or running is left alone by the job's uniqueness.
func (in *Integration) dailySyncDue(ctx context.Context, shop *stockbell.Shop) (stockbell.JobArgs, error) {
	recent, err := in.SyncLog.SyncFinishedSince(ctx, shop.ID, CatalogSource, in.Clock.Now().Add(-RecentCatalogSync))
	if err != nil || recent {
		return nil, err
	}
	return stockbell.MagentoCatalogSyncJob{ShopID: shop.ID}, nil
}
