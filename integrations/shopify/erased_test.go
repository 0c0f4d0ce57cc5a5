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

// erasingTokens are the shop's tokens with the shop erased as the
// exchange of its token begins: an erase the migration meets halfway.
type erasingTokens struct {
	stockbell.ShopifyTokens
	db *store.DB
}

func (t erasingTokens) MigrateShopToken(ctx context.Context, shop *stockbell.Shop) (*stockbell.Shop, error) {
	if err := storetest.EraseShop(ctx, t.db, shop.ID); err != nil {
		return nil, err
	}
	return t.ShopifyTokens.MigrateShopToken(ctx, shop)
}

// TestTokenMigrationMeetingTheShopsEraseEndsQuietly: the exchange of a
// non-expiring token for a shop erased while it runs ends without an
// error and leaves no row of the shop behind.
func TestTokenMigrationMeetingTheShopsEraseEndsQuietly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		shop := e.install()
		e.in.Tokens = erasingTokens{ShopifyTokens: e.tokens, db: db}
		if err := e.in.MigrateToken(ctx, stockbell.ShopifyTokenMigrationJob{ShopID: shop.ID}); err != nil {
			t.Errorf("the token migration meeting its shop's erase: %v, want it done", err)
		}
		left, err := storetest.ShopRows(ctx, db, shop.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) > 0 {
			t.Errorf("the token migration left rows of the erased shop: %v", left)
		}
	})
}
