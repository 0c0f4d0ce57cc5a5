package prestashop

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// CatalogSource names catalog syncs in the sync log and activity.
const CatalogSource = "prestashop:catalog"

// SyncCatalog serves PrestaShopCatalogSyncJob. For ShopID 0 (the daily
// run) it queues one job per connected shop. For a shop it pages through
// every product by id, reads each page's combinations and stock, upserts
// them, marks deleted the products the complete listing no longer has
// (stockbell.DeleteVanishedProducts), and records the sync in the shop's
// sync log. A listing that fails part-way marks nothing. A refusal is
// recorded and ends the job (failed); any other failure is recorded with
// what the shop answered and what to check (catalogFailed), and the job
// is retried.
func (in *Integration) SyncCatalog(ctx context.Context, job stockbell.PrestaShopCatalogSyncJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOut(ctx, func(id int64) stockbell.JobArgs { return stockbell.PrestaShopCatalogSyncJob{ShopID: id} })
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	shop, sess, err := in.activeSession(ctx, job.ShopID)
	if sess == nil || err != nil {
		return err
	}
	report := stockbell.SyncReport{ShopID: shop.ID, Source: CatalogSource, StartedAt: in.Clock.Now()}
	began, err := in.Catalog.BeginStockRead(ctx) // before the listing: what vanished is judged against it
	if err != nil {
		return in.catalogFailed(ctx, shop, report, "list the shop's products", err)
	}
	// The sync reads the shop's place in its multistore afresh (three
	// requests against the listing's hundreds), and keeps it for the reads
	// that follow: a connect, which queues this sync, applies at once.
	settings, err := in.settings(ctx, shop.ID, sess, true)
	if err != nil {
		return in.catalogFailed(ctx, shop, report, "read the shop's settings", err)
	}
	in.recordCurrency(ctx, shop, sess, settings.currencyID)
	listed := map[string]bool{}
	err = eachPage(ctx, sess, "products", settings.priceQuery(), func(page []apiProduct, _ time.Time) error {
		for _, p := range page {
			listed[strconv.FormatInt(int64(p.ID), 10)] = true
		}
		n, err := in.applyProducts(ctx, shop, sess, settings, page, CatalogSource)
		report.Items += n
		return err
	})
	if err != nil {
		return in.catalogFailed(ctx, shop, report, "list the shop's products", err)
	}
	// A product created while the listing was read is either listed (its
	// id is above the page then read) or was found by a read begun since
	// (a module post), which DeleteVanishedProduct keeps.
	if report.Unpublished, err = stockbell.DeleteVanishedProducts(ctx, in.Catalog, shop.ID, listed, began); err != nil {
		return stockbell.RecordSweepFailure(ctx, in.SyncLog, in.Logger, shop, report, in.Clock.Now(), err)
	}
	sess.logPricesBeforeTax(ctx, in.Logger)
	if sess.pricesBeforeTax {
		report.Notice = pricesBeforeTaxNotice
	}
	report.FinishedAt = in.Clock.Now()
	report.Stored = report.Items // each one read was upserted
	in.Logger.InfoContext(ctx, "prestashop catalog synced", "shop", shop.Domain, "variants", report.Items, "vanished_products", report.Unpublished)
	return in.SyncLog.RecordSync(ctx, report)
}

// failed ends a job the webservice refused: the key itself (unknown,
// deleted or disabled), or a request the key may not make (a resource or
// method not ticked for it, a shop it is not enabled for, the webservice
// switched off), a shop whose /api/ answers 404 (noWebservice), or a
// shop that redirects to another host (movedError). Each is recorded in the shop's sync log with what to do, and not retried: a
// revoked key stays revoked until the shop is connected again, and a
// permission stays missing until the merchant grants it, after which the
// next reconciliation (every 15 minutes) reads the shop again, and the
// next daily catalog sync (or connecting it again) its whole catalog. The
// shop stays connected. A read of named products that marked nothing
// deleted because the webservice lists no product at all
// (stockbell.ErrListedNothing, see deleteUnlisted) is recorded as a
// catalog sync's empty listing is, and not retried either: the
// webservice would answer the same. Any other error is returned for the
// job to retry; nil is nil.
func (in *Integration) failed(ctx context.Context, shop *stockbell.Shop, report stockbell.SyncReport, err error) error {
	switch {
	case errors.Is(err, stockbell.ErrListedNothing):
		return stockbell.RecordSweepFailure(ctx, in.SyncLog, in.Logger, shop, report, in.Clock.Now(), err)
	case isForbidden(err), isNoWebservice(err):
		report.Failure = stockbell.ErrorMessage(err)
	case isMoved(err):
		report.Failure = movedFailure(err)
	case isRefused(err):
		report.Failure = fmt.Sprintf("the shop's webservice refused the key (%s): create a key with GET on %s and connect the shop again",
			apiMessage(err), strings.Join(RequiredResources, ", "))
	default:
		return err
	}
	report.FinishedAt = in.Clock.Now()
	in.Logger.WarnContext(ctx, "prestashop webservice refused the request", "shop_id", report.ShopID, "source", report.Source, "err", err)
	return in.SyncLog.RecordSync(ctx, report)
}

// settings reads the shop-wide settings stock depends on, and which stock
// rows are the connected shop's (stockOwner, kept for OwnerTTL unless
// fresh: see Integration.owner).
func (in *Integration) settings(ctx context.Context, shopID int64, s *session, fresh bool) (shopSettings, error) {
	settings, err := s.configuration(ctx)
	if err != nil {
		return settings, err
	}
	settings.owner, settings.ownerKept, err = in.owner(ctx, shopID, s, fresh)
	return settings, err
}

// configuration reads the shop-wide settings stock depends on.
func (s *session) configuration(ctx context.Context) (shopSettings, error) {
	rows, _, err := list[apiConfiguration](ctx, s, "configurations", url.Values{
		"display": {"[name,value]"}, "filter[name]": {"[PS_ORDER_OUT_OF_STOCK|PS_STOCK_MANAGEMENT|PS_CURRENCY_DEFAULT|PS_UNIDENTIFIED_GROUP]"}})
	settings := shopSettings{stockManaged: true}
	for _, r := range rows {
		switch r.Name {
		case "PS_ORDER_OUT_OF_STOCK":
			settings.allowOrders = r.Value == "1"
		case "PS_STOCK_MANAGEMENT":
			settings.stockManaged = r.Value != "0"
		case "PS_CURRENCY_DEFAULT":
			settings.currencyID, _ = strconv.ParseInt(string(r.Value), 10, 64)
		case "PS_UNIDENTIFIED_GROUP":
			settings.visitorGroup, _ = strconv.ParseInt(string(r.Value), 10, 64)
		}
	}
	return settings, err
}

// CurrencyResource is the webservice resource of the shop's currencies,
// which the key may read (optional: without it prices have no currency).
const CurrencyResource = "currencies"

// recordCurrency stores the shop's default currency when it changed. A
// failed read (a key not allowed to GET currencies, say) is logged and
// leaves the stored one: the currency is only shown with prices.
func (in *Integration) recordCurrency(ctx context.Context, shop *stockbell.Shop, sess *session, id int64) {
	if id == 0 {
		return
	}
	rows, _, err := list[apiCurrency](ctx, sess, CurrencyResource, url.Values{
		"display": {"[id,iso_code]"}, "filter[id]": {"[" + strconv.FormatInt(id, 10) + "]"}})
	if err == nil && len(rows) == 1 && stockbell.NormalizeCurrency(rows[0].ISOCode) != shop.Currency {
		err = in.Shops.UpdateShopDetails(ctx, shop.ID, stockbell.ShopDetails{Currency: rows[0].ISOCode})
	}
	if err != nil {
		in.Logger.WarnContext(ctx, "prestashop default currency not read", "shop", shop.Domain, "err", err)
	}
}

// catalogRead is what the webservice said about a set of products beside
// the products themselves.
type catalogRead struct {
	settings     shopSettings
	combinations map[int64][]apiCombination
	stock        map[string]apiStock // by variant id
	options      map[int64]string    // option value names by id
	// at is the shop's clock when it answered the stock read: the levels'
	// platform time (stock_availables carry none of their own).
	at time.Time
	// strayRows is a stock read that listed rows, none of them the known
	// owner's.
	strayRows bool
}

// applyProducts reads the products' combinations and stock and upserts
// them, returning the number of variants. The stock read begins before
// the webservice is asked, so levels the module posts meanwhile are
// ordered against it.
func (in *Integration) applyProducts(ctx context.Context, shop *stockbell.Shop, sess *session, settings shopSettings,
	products []apiProduct, source string) (int, error) {
	if len(products) == 0 {
		return 0, nil
	}
	stockRead, err := in.Catalog.BeginStockRead(ctx)
	if err != nil {
		return 0, err
	}
	read, err := in.readProducts(ctx, shop.ID, sess, products, settings)
	if err != nil {
		return 0, err
	}
	sess.notePricesBeforeTax(products, read)
	variants := 0
	for i := range products {
		up := productUpsert(shop, sess.creds.URL, &products[i], read)
		up.Read, up.Source = &stockRead, source
		if _, err := in.Catalog.UpsertProduct(ctx, up); err != nil {
			return variants, fmt.Errorf("upsert product %s of %s: %w", up.PlatformID, shop.Domain, err)
		}
		variants += len(up.Variants)
	}
	return variants, nil
}

// readProducts reads the products' combinations and stock. When the
// stock rows listed hold none of the kept owner's, the shop has moved in
// its installation (its id, or its group's sharing of stock, changed): the
// owner is read again and the products once more with it.
func (in *Integration) readProducts(ctx context.Context, shopID int64, sess *session, products []apiProduct, settings shopSettings) (catalogRead, error) {
	read, err := sess.readProducts(ctx, products, settings)
	if err != nil || !read.strayRows {
		return read, err
	}
	in.forgetOwner(shopID)
	if !settings.ownerKept {
		return read, nil
	}
	in.Logger.InfoContext(ctx, "prestashop stock rows are not the kept shop's: its place in the installation is read again", "shop", sess.creds.URL)
	if settings.owner, settings.ownerKept, err = in.owner(ctx, shopID, sess, true); err != nil {
		return read, err
	}
	return sess.readProducts(ctx, products, settings)
}

// readProducts reads the combinations, their option names and the stock
// of the products.
func (s *session) readProducts(ctx context.Context, products []apiProduct, settings shopSettings) (catalogRead, error) {
	ids := make([]int64, len(products))
	for i, p := range products {
		ids[i] = int64(p.ID)
	}
	read := catalogRead{settings: settings, combinations: map[int64][]apiCombination{}, stock: map[string]apiStock{}}
	var optionIDs []int64
	err := eachPage(ctx, s, "combinations", settings.withPrices(url.Values{"filter[id_product]": {idFilter(ids)}}), func(rows []apiCombination, _ time.Time) error {
		for _, c := range rows {
			read.combinations[int64(c.IDProduct)] = append(read.combinations[int64(c.IDProduct)], c)
			for _, o := range c.Associations.OptionValues {
				optionIDs = append(optionIDs, int64(o.ID))
			}
		}
		return nil
	})
	if err != nil {
		return read, err
	}
	if read.options, err = s.optionNames(ctx, optionIDs); err != nil {
		return read, err
	}
	err = eachPage(ctx, s, "stock_availables", settings.owner.stockQuery(ids), func(rows []apiStock, at time.Time) error {
		for _, r := range rows {
			id := stockbell.PrestaShopVariantID(int64(r.IDProduct), int64(r.IDProductAttribute))
			if _, seen := read.stock[id]; settings.owner.keeps(r, seen) {
				read.stock[id] = r
			}
		}
		read.strayRows = settings.owner.known() && len(rows) > 0 && len(read.stock) == 0
		if read.at.IsZero() {
			read.at = at
		}
		return nil
	})
	return read, err
}

// optionNames reads the names of the option values ("Small", "Red"),
// pageSize ids a request.
func (s *session) optionNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	names := map[int64]string{}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for start := 0; start < len(ids); start += pageSize {
		chunk := ids[start:min(start+pageSize, len(ids))]
		rows, _, err := list[apiOptionValue](ctx, s, "product_option_values", url.Values{"display": {"[id,name]"}, "filter[id]": {idFilter(chunk)}})
		if err != nil {
			return names, err
		}
		for _, r := range rows {
			names[int64(r.ID)] = string(r.Name)
		}
	}
	return names, nil
}

// productUpsert maps a product: its combinations are its variants, or,
// without combinations, the product itself is (attribute 0). Each variant's
// stock is its stock_availables row at one location, its policy the row's
// out_of_stock resolved against the shop default. The read lists every
// combination of the product (AllVariants): a combination removed in the
// shop is marked deleted.
func productUpsert(shop *stockbell.Shop, baseURL string, p *apiProduct, read catalogRead) stockbell.ProductUpsert {
	id := int64(p.ID)
	up := stockbell.ProductUpsert{
		ShopID: shop.ID, PlatformID: strconv.FormatInt(id, 10), Title: string(p.Name), Handle: string(p.LinkRewrite),
		URL:      baseURL + "/index.php?controller=product&id_product=" + strconv.FormatInt(id, 10),
		ImageURL: imageURL(baseURL, int64(p.IDDefaultImage)), Published: p.Active == 1, UpdatedAt: parseDate(p.DateUpd),
		AllVariants: true,
	}
	productStock := read.stock[stockbell.PrestaShopVariantID(id, 0)]
	combinations := read.combinations[id]
	if len(combinations) == 0 {
		v := read.variant(stockbell.PrestaShopVariantID(id, 0), productStock, up)
		v.Title, v.SKU, v.Price = up.Title, p.Reference, paidPrice(p.ShopperPrice, p.Price, "0")
		up.Variants = append(up.Variants, v)
		return up
	}
	for _, c := range combinations {
		v := read.variant(stockbell.PrestaShopVariantID(id, int64(c.ID)), productStock, up)
		v.Title, v.SKU, v.Price = read.combinationTitle(p, &c), c.Reference, paidPrice(c.ShopperPrice, p.Price, c.Price)
		v.URL = combinationPage(up.URL, int64(c.ID))
		up.Variants = append(up.Variants, v)
	}
	return up
}

// combinationPage is the product's page with the combination selected,
// where an alert about it leads: PrestaShop's product controller reads
// id_product_attribute and keeps it when it redirects to the friendly URL.
func combinationPage(productPage string, combinationID int64) string {
	return productPage + "&id_product_attribute=" + strconv.FormatInt(combinationID, 10)
}

// variant is a variant's stock and policy: its own stock_availables row,
// else (for the policy) the product's.
func (read catalogRead) variant(id string, productStock apiStock, up stockbell.ProductUpsert) stockbell.VariantUpsert {
	v := stockbell.VariantUpsert{PlatformID: id, URL: up.URL, ImageURL: up.ImageURL, Tracked: read.settings.stockManaged}
	row, ok := read.stock[id]
	if !ok {
		row = productStock
	}
	v.InventoryPolicy = read.settings.policy(row.OutOfStock)
	if ok {
		v.Levels = []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation, Available: stockbell.ClampAvailable(int64(row.Quantity)), UpdatedAt: read.at}}
	}
	return v
}

// combinationTitle is the combination's option values ("Small / Red"), or
// its reference when the names are unknown.
func (read catalogRead) combinationTitle(p *apiProduct, c *apiCombination) string {
	var names []string
	for _, o := range c.Associations.OptionValues {
		if n := read.options[int64(o.ID)]; n != "" {
			names = append(names, n)
		}
	}
	switch {
	case len(names) > 0:
		return strings.Join(names, " / ")
	case c.Reference != "":
		return c.Reference
	}
	return string(p.Name) + " #" + strconv.FormatInt(int64(c.ID), 10)
}

// imageURL is the public address of an image's original file:
// /img/p/1/2/12.jpg for image 12.
func imageURL(baseURL string, imageID int64) string {
	if imageID <= 0 {
		return ""
	}
	id := strconv.FormatInt(imageID, 10)
	return baseURL + "/img/p/" + strings.Join(strings.Split(id, ""), "/") + "/" + id + ".jpg"
}

// parseDate reads PrestaShop's date_upd ("2026-02-01 10:00:00", the shop's
// local time without a zone, read as UTC: only compared with itself).
func parseDate(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
