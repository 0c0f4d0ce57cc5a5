package magento_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestCatalogSyncStoresTheBaseCurrency: a catalog sync reads the store's
// base currency (GET /V1/directory/currency, base_currency_code: the
// currency of its catalog prices) and stores it on the shop.
func TestCatalogSyncStoresTheBaseCurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.fake.Do(func(f *magentotest.Fake) { f.BaseCurrency = "GBP" })
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		stored, err := db.FindShopByID(ctx, e.shop.ID)
		if err != nil || stored.Currency != "GBP" {
			t.Fatalf("stored shop %+v, %v; want currency GBP", stored, err)
		}
	})
}
