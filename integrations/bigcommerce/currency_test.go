package bigcommerce_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestInstallStoresTheStoresCurrency: the hook registration that follows
// an install reads the store's default currency from its store information
// (GET /v2/store, currency) and stores it on the shop.
func TestInstallStoresTheStoresCurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Currency = "AUD" })
		must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}))
		if got := e.shop(shop.ID); got.Currency != "AUD" {
			t.Fatalf("stored currency %q, want AUD", got.Currency)
		}
	})
}
