package prestashop_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestJobsMeetingTheShopsEraseEndQuietly: the catalog sync and the
// reconciliation of a shop erased while they run end without an error
// (the queue retried them, to find nothing to do) and leave no row of the
// erased shop behind; run again, as jobs queued before the erase, they
// end so too.
func TestJobsMeetingTheShopsEraseEndQuietly(t *testing.T) {
	for name, run := range map[string]func(e *env, shopID int64) error{
		"catalog sync": func(e *env, shopID int64) error {
			return e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shopID})
		},
		"reconcile": func(e *env, shopID int64) error {
			return e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shopID})
		},
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop, _ := e.connected()
				e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
				e.in.Catalog = storetest.ErasingCatalog{CatalogService: db, DB: db, ShopID: shop.ID}
				for _, when := range []string{"meeting its shop's erase", "of an erased shop"} {
					if err := run(e, shop.ID); err != nil {
						t.Errorf("the %s %s: %v, want it done", name, when, err)
					}
					left, err := storetest.ShopRows(ctx, db, shop.ID)
					must(t, err)
					if len(left) > 0 {
						t.Errorf("the %s %s left rows of the shop: %v", name, when, left)
					}
				}
			})
		})
	}
}
