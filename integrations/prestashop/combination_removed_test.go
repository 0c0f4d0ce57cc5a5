package prestashop_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSyncCatalogDeletesRemovedCombinations: a combination removed from a
// product the shop still has is marked deleted by the next catalog sync
// (its subscribers are notified by no one) and revived when the product
// lists it again; the product's other combinations are left alone.
func TestSyncCatalogDeletesRemovedCombinations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		var removed *prestashoptest.Combination
		e.fake.Do(func(s *prestashoptest.Shop) {
			for _, p := range s.Products {
				if p.ID == shirtID {
					removed, p.Combinations = p.Combinations[0], p.Combinations[1:]
				}
			}
		})
		e.clock.Add(time.Minute)
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		if small := e.variant(shop, shirtID, removed.ID); !small.VariantDeleted || small.Deleted || small.Notifiable() {
			t.Fatalf("removed combination = %+v", small)
		}
		if medium := e.variant(shop, shirtID, shirtMedium); medium.VariantDeleted || !medium.Notifiable() {
			t.Fatalf("combination still listed = %+v", medium)
		}

		e.fake.Do(func(s *prestashoptest.Shop) {
			for _, p := range s.Products {
				if p.ID == shirtID {
					p.Combinations = append(p.Combinations, removed)
				}
			}
		})
		e.clock.Add(time.Minute)
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		if small := e.variant(shop, shirtID, removed.ID); small.VariantDeleted || !small.Notifiable() {
			t.Fatalf("combination listed again = %+v", small)
		}
	})
}

// TestProductTotalAfterACombinationRemovedReadsNothing: a combination
// removed from the T-shirt (the first stored) says nothing of the
// product, which still has combinations: the product total posted beside
// each order line is let go without asking the webservice, as before.
func TestProductTotalAfterACombinationRemovedReadsNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.fake.Do(func(s *prestashoptest.Shop) {
			for _, p := range s.Products {
				if p.ID == shirtID {
					p.Combinations = p.Combinations[1:] // the small, stored first
				}
			}
		})
		e.clock.Add(time.Minute)
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		if small := e.variant(shop, shirtID, shirtSmall); !small.VariantDeleted {
			t.Fatalf("removed small = %+v", small)
		}
		before := e.asked()
		e.clock.Add(time.Minute)
		e.receive(e.signed(secret, e.stockPost(shirtID, 0, 2)))
		if n := e.asked() - before; n != 0 {
			t.Fatalf("the product total asked the webservice %d times: %v", n, e.fake.Requests()[before:])
		}
	})
}
