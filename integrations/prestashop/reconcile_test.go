package prestashop_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestReconcileRecoversAMissedPost: the shop restocks but the module's post
// never comes; the reconciliation reads the products shoppers wait for
// (and only those) and applies the restock. A run that succeeds writes
// nothing to the sync log: it runs every 15 minutes while shoppers wait,
// and only its failures, and the run that ends one, are the merchant's
// to read. The fan-out (ShopID 0) queues one job per connected shop.
func TestReconcileRecoversAMissedPost(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.clock.Add(time.Minute)
		e.fake.SetQuantity(shirtID, shirtSmall, 6)
		e.fake.SetQuantity(mugID, 0, 9) // nobody waits for the mug: not read
		logged := len(e.syncLog(shop))
		for range 3 {
			e.clock.Add(15 * time.Minute)
			must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
		}
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 6 {
			t.Fatalf("small shirt after reconciliation: %+v", v)
		}
		if v := e.variant(shop, mugID, 0); v.Stock != 0 {
			t.Fatalf("the mug, which nobody waits for, was read: %+v", v)
		}
		if log := e.syncLog(shop); len(log) != logged {
			t.Fatalf("successful reconciliations wrote to the sync log: newest = %s", log[0].Detail)
		}
		must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{}))
		var queued int
		must(t, db.DB.Get(&queued, `SELECT COUNT(*) FROM river_job WHERE kind = 'prestashop_reconcile'`))
		if queued != 1 {
			t.Fatalf("the fan-out queued %d jobs, want 1", queued)
		}
	})
}

// TestReconcilePassesOverDeletedProductsAndCombinations: shoppers wait for
// the small T-shirt and the mug; the merchant removes the small from the
// T-shirt and deletes the mug, and the catalog sync marks both deleted.
// No restock can come for either, so the reconciliation asks the
// webservice nothing.
func TestReconcilePassesOverDeletedProductsAndCombinations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.subscribe(shop, e.variant(shop, mugID, 0), "bob@example.com")
		e.fake.Do(func(s *prestashoptest.Shop) {
			for _, p := range s.Products {
				if p.ID == shirtID {
					p.Combinations = p.Combinations[1:] // the small
				}
			}
		})
		e.deleteInShop(mugID)
		e.clock.Add(time.Minute)
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		if small, mug := e.variant(shop, shirtID, shirtSmall), e.variant(shop, mugID, 0); !small.VariantDeleted || !mug.Deleted {
			t.Fatalf("after the catalog sync: small = %+v, mug = %+v", small, mug)
		}
		before := e.asked()
		e.clock.Add(15 * time.Minute)
		must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
		if n := e.asked() - before; n != 0 {
			t.Fatalf("the reconciliation asked the webservice %d times, want none: %v", n, e.fake.Requests()[before:])
		}
	})
}
