package magento_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// The tee's configurable attribute, size, and the option ids of its
// small and medium sizes; another store's tee is also sold in colours.
const (
	teeSize   = int64(144)
	teeSmall  = int64(167)
	teeMedium = int64(168)
	teeColour = int64(93)
	teeBlue   = int64(50)
)

// TestChildPageSelectsItsOptions: an alert's link leads to the variant's
// page, so a configurable product's size has the product's page with its
// options in the fragment Magento's storefront preselects them from
// (#attribute_id=option_id&…), read from the configurable product's
// options Magento lists with it, without another request. A store whose
// product list leaves the options out is asked for them once per
// configurable product, never per size; a configurable product whose
// options cannot be read keeps the product's page, the sync going on. A simple product keeps its page, and another store's pages
// are its own, left alone by the first store's syncs.
func TestChildPageSelectsItsOptions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e, other := newJobsEnv(t, db), newJobsEnv(t, db)
		other.fake.Do(func(f *magentotest.Fake) {
			tee := f.Products[0]
			tee.Options = append([]magentotest.Option{{AttributeID: teeColour, Code: "color", Label: "Colour"}}, tee.Options...)
			for _, c := range tee.Children {
				c.Values["color"] = teeBlue
			}
		})
		other.must(other.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: other.shop.ID}))
		otherSmall := other.fake.URL() + "/tee.html#93=50&144=167"
		selected := map[string]string{"TEE-S": e.fake.URL() + "/tee.html#144=167", "TEE-M": e.fake.URL() + "/tee.html#144=168"}
		e.checkPages(selected, 0)
		other.checkPages(map[string]string{"TEE-S": otherSmall}, 0)

		e.fake.Do(func(f *magentotest.Fake) { clear(f.Requests); f.OptionsUnlisted = true })
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		e.checkPages(selected, 1)

		e.fake.Do(func(f *magentotest.Fake) {
			clear(f.Requests)
			f.Unrouted = []string{"/configurable-products/TEE/options"}
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		if last := e.lastSync(); last.Kind != stockbell.EventSyncFinished {
			t.Fatalf("the sync without the tee's options = %+v", last)
		}
		e.checkPages(map[string]string{"TEE-S": "", "TEE-M": ""}, 1)
		other.checkPages(map[string]string{"TEE-S": otherSmall}, 0)
	})
}

// checkPages checks the page of each variant (by SKU) and of the mug,
// whose page is its product's, and how many times the last sync asked
// for the tee's options. An empty page is the product's: an alert's link
// leads there.
func (e *jobsEnv) checkPages(pages map[string]string, optionReads int) {
	e.t.Helper()
	pages["MUG"] = ""
	for sku, page := range pages {
		v := e.variant(sku)
		product := e.fake.URL() + "/tee.html"
		if sku == "MUG" {
			product = e.fake.URL() + "/mug.html"
		}
		if v.URL != page || v.ProductURL != product {
			e.t.Errorf("%s of shop %d: page %q (product %q), want %q (product %q)", sku, e.shop.ID, v.URL, v.ProductURL, page, product)
		}
	}
	e.fake.Do(func(f *magentotest.Fake) {
		if n := f.Requests["/configurable-products/TEE/options/all"]; n != optionReads {
			e.t.Errorf("the tee's options were asked for %d times, want %d", n, optionReads)
		}
	})
}
