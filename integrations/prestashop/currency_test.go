package prestashop_test

import (
	"testing"

	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestCatalogSyncStoresTheDefaultCurrency: a catalog sync reads the shop's
// default currency (the configuration PS_CURRENCY_DEFAULT names a row of
// the currencies resource, whose iso_code it is) and stores it on the shop.
func TestCatalogSyncStoresTheDefaultCurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) { s.Currency = "CHF" })
		shop, _ := e.connected()
		stored, err := db.FindShopByID(ctx, shop.ID)
		if err != nil || stored.Currency != "CHF" {
			t.Fatalf("stored shop %+v, %v; want currency CHF", stored, err)
		}
	})
}
