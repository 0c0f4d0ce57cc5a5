package shopify_test

import (
	"context"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestInstallStoresTheShopsCurrency: the job that follows an install reads
// the shop's currencyCode in its shop query and stores it on the shop.
func TestInstallStoresTheShopsCurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Currency = "CAD" })
		if err := e.in.RegisterWebhooks(context.Background(), stockbell.ShopifyRegisterWebhooksJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		stored, err := db.FindShopByID(context.Background(), shop.ID)
		if err != nil || stored.Currency != "CAD" {
			t.Fatalf("stored shop %+v, %v; want currency CAD", stored, err)
		}
	})
}
