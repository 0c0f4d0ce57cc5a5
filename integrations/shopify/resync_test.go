package shopify_test

import (
	"context"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestPeriodicSyncCatchesLostProductWebhooks: a product deleted and one
// created while their webhooks were lost are marked deleted and stored by
// the shop's periodic sync (storetest.CheckResyncCatchesLostWebhooks).
func TestPeriodicSyncCatchesLostProductWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		r := e.resync(shop.ID)
		r.LoseWebhooks = func() {
			e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products = []*shopifytest.Product{e.capProduct()} })
		}
		r.Gone, r.Created = itoa(smallVariant), "901"
		storetest.CheckResyncCatchesLostWebhooks(t, r)
	})
}

// TestPeriodicSyncNeverOverlapsTheInstallSync: the fan-out leaves a shop
// whose install sync is queued or running alone
// (storetest.CheckResyncNeverOverlapsInstallSync).
func TestPeriodicSyncNeverOverlapsTheInstallSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token, s.Scope = "shpat_test_token", "read_products,read_inventory" })
		shop, err := db.InstallShop(context.Background(), stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: shopDomain,
			Seal: stockbell.SealToken(e.in.Sealer, "shpat_test_token"), Scopes: "read_products,read_inventory",
			FollowUp: func(s *stockbell.Shop) []stockbell.JobArgs {
				return []stockbell.JobArgs{stockbell.ShopifyCatalogSyncJob{ShopID: s.ID}}
			}})
		must(t, err)
		storetest.CheckResyncNeverOverlapsInstallSync(t, e.resync(shop.ID))
	})
}

// TestPeriodicSyncRegistersWebhooksAgain: the fan-out reaching a shop's
// hour also queues its webhook registration, which creates again the
// subscriptions Shopify removed after their deliveries kept failing.
func TestPeriodicSyncRegistersWebhooksAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		r := e.resync(shop.ID)
		r.Kind = stockbell.ShopifyRegisterWebhooksJob{}.Kind()
		storetest.UntilResyncHour(t, r, false)
		must(t, r.FanOut())
		if got := storetest.QueuedShops(t, r); len(got) != 0 {
			t.Fatalf("outside the shop's hour the fan-out queued the registrations of %v", got)
		}
		storetest.UntilResyncHour(t, r, true)
		must(t, r.FanOut())
		if got := storetest.QueuedShops(t, r); len(got) != 1 || got[0] != shop.ID {
			t.Fatalf("in the shop's hour the fan-out queued the registrations of %v, want [%d]", got, shop.ID)
		}
	})
}

// resync is the shop's periodic catalog sync, for the storetest checks.
func (e *env) resync(shopID int64) storetest.Resync {
	ctx := context.Background()
	return storetest.Resync{DB: e.db, ShopID: shopID, Kind: stockbell.ShopifyCatalogSyncJob{}.Kind(), Source: shopify.CatalogSource,
		Now: e.clock.Now, Advance: e.clock.Advance,
		FanOut: func() error { return e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{}) },
		Sync:   func(id int64) error { return e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: id}) },
	}
}

// capProduct is a cap in stock, created while its products/create webhook
// was lost.
func (e *env) capProduct() *shopifytest.Product {
	return &shopifytest.Product{ID: 900, Title: "Cap", Handle: "cap", Status: "ACTIVE", Published: true,
		UpdatedAt: e.clock.Now(), Variants: []*shopifytest.Variant{{ID: 901, Title: "Default", SKU: "cap", Price: "12.00",
			Policy: "DENY", InventoryItemID: 902, Tracked: true, Levels: []shopifytest.Level{{LocationID: warehouse, Available: 3}}}}}
}
