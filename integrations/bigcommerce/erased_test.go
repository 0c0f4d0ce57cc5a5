package bigcommerce_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestJobsMeetingTheStoresEraseEndQuietly: the catalog sync, the
// reconciliation and the hook registration of a store erased while they
// run end without an error (the queue retried them, to find nothing to
// do) and leave no row of the erased store behind; run again, as jobs
// queued before the erase, they end so too.
func TestJobsMeetingTheStoresEraseEndQuietly(t *testing.T) {
	for name, run := range map[string]func(e *env, shopID int64) error{
		"catalog sync": func(e *env, shopID int64) error {
			e.in.Catalog = storetest.ErasingCatalog{CatalogService: e.db, DB: e.db, ShopID: shopID}
			return e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shopID})
		},
		"reconcile": func(e *env, shopID int64) error {
			e.in.Catalog = storetest.ErasingCatalog{CatalogService: e.db, DB: e.db, ShopID: shopID}
			return e.in.Reconcile(ctx, stockbell.BigCommerceReconcileJob{ShopID: shopID})
		},
		"hook registration": func(e *env, shopID int64) error {
			e.in.Shops = storetest.ErasingShops{ShopService: e.db, DB: e.db, ShopID: shopID}
			return e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shopID})
		},
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.installed()
				e.subscribe(shop, e.variant(shop, shirtSmall).ID, "ada@example.com")
				for _, when := range []string{"meeting its store's erase", "of an erased store"} {
					if err := run(e, shop.ID); err != nil {
						t.Errorf("the %s %s: %v, want it done", name, when, err)
					}
					left, err := storetest.ShopRows(ctx, db, shop.ID)
					must(t, err)
					if len(left) > 0 {
						t.Errorf("the %s %s left rows of the store: %v", name, when, left)
					}
				}
			})
		})
	}
}
