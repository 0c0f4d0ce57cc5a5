package shopify_test

import (
	"context"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestJobsMeetingTheShopsEraseEndQuietly: the catalog sync, the
// reconciliation, the read of a product's variants and the webhook
// registration of a shop erased while they run (shop/redact, or `stockbell shop erase`) end without an error (the
// queue retried them, to find nothing to do) and leave no row of the
// erased shop behind; run again, as jobs queued before the erase, they
// end so too.
func TestJobsMeetingTheShopsEraseEndQuietly(t *testing.T) {
	ctx := context.Background()
	for name, run := range map[string]func(e *env, shopID int64) error{
		"catalog sync": func(e *env, shopID int64) error {
			e.in.Catalog = storetest.ErasingCatalog{CatalogService: e.db, DB: e.db, ShopID: shopID}
			return e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shopID})
		},
		"reconcile": func(e *env, shopID int64) error {
			e.in.Catalog = storetest.ErasingCatalog{CatalogService: e.db, DB: e.db, ShopID: shopID}
			return e.in.Reconcile(ctx, stockbell.ShopifyReconcileJob{ShopID: shopID})
		},
		"product variants read": func(e *env, shopID int64) error {
			e.in.Catalog = storetest.ErasingCatalog{CatalogService: e.db, DB: e.db, ShopID: shopID}
			return e.in.ReadProductVariants(ctx, stockbell.ShopifyProductVariantsJob{ShopID: shopID,
				Topic: shopify.TopicProductsUpdate, ProductID: itoa(productID)})
		},
		"webhook registration": func(e *env, shopID int64) error {
			e.in.Shops = storetest.ErasingShops{ShopService: e.db, DB: e.db, ShopID: shopID}
			return e.in.RegisterWebhooks(ctx, stockbell.ShopifyRegisterWebhooksJob{ShopID: shopID})
		},
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				e.stockTShirt()
				e.sync(shop.ID)
				small, _ := e.variant(shop.ID, smallVariant)
				e.queueSubscriber(shop.ID, small.ID, "ada@example.com")
				for _, when := range []string{"meeting its shop's erase", "of an erased shop"} {
					if err := run(e, shop.ID); err != nil {
						t.Errorf("the %s %s: %v, want it done", name, when, err)
					}
					left, err := storetest.ShopRows(ctx, db, shop.ID)
					if err != nil {
						t.Fatal(err)
					}
					if len(left) > 0 {
						t.Errorf("the %s %s left rows of the shop: %v", name, when, left)
					}
				}
			})
		})
	}
}
