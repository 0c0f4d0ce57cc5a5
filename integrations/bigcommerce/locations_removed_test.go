package bigcommerce_test

import (
	"slices"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/restock/restocktest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestReconcileDropsADisabledOrRemovedLocation: the small shirt's 2 units
// are at the warehouse, below the minimum of 3. The warehouse is disabled
// (the Inventory API lists it with location_enabled false) or deleted (it
// lists it no more) and the shop floor gets 1 back: the reconciliation
// stores the shop floor's 1 alone, below the minimum, and nobody is told
// of a restock off the warehouse's stale units. The warehouse enabled or
// added again counts again, and the restock is announced.
func TestReconcileDropsADisabledOrRemovedLocation(t *testing.T) {
	ways := map[string]struct {
		drop, restore func(s *bigcommercetest.Store)
	}{
		"disabled": {
			drop:    func(s *bigcommercetest.Store) { s.DisabledLocations = map[int64]bool{warehouse: true} },
			restore: func(s *bigcommercetest.Store) { s.DisabledLocations = nil },
		},
		"removed": {
			drop:    func(s *bigcommercetest.Store) { delete(smallShirt(s).Levels, warehouse) },
			restore: func(s *bigcommercetest.Store) { smallShirt(s).Levels[warehouse] = 2 },
		},
	}
	for name, way := range ways {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				e.fake.Do(storeHash, func(s *bigcommercetest.Store) { smallShirt(s).Levels[warehouse] = 2 })
				shop := e.installed()
				minimum := 3
				_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{MinInventory: &minimum})
				must(t, err)
				small := e.variant(shop, shirtSmall)
				e.subscribe(shop, small.ID, "ann@example.com")
				e.runRestock()
				restocktest.WantSkippedBelowMinimum(t, db, small.ID, 2)

				e.fake.Do(storeHash, func(s *bigcommercetest.Store) { way.drop(s); smallShirt(s).Levels[shopFloor] = 1 })
				must(t, e.in.Reconcile(ctx, stockbell.BigCommerceReconcileJob{ShopID: shop.ID}))
				e.wantLocations(shop, shirtSmall, 1, itoa(shopFloor))
				e.runRestock()
				restocktest.WantSkippedBelowMinimum(t, db, small.ID, 1)
				restocktest.WantNotified(t, db, small.ID, 0)

				e.fake.Do(storeHash, way.restore)
				must(t, e.in.Reconcile(ctx, stockbell.BigCommerceReconcileJob{ShopID: shop.ID}))
				e.wantLocations(shop, shirtSmall, 3, itoa(warehouse), itoa(shopFloor))
				e.runRestock()
				restocktest.WantNotified(t, db, small.ID, 1)
			})
		})
	}
}

// smallShirt is the fake store's small shirt.
func smallShirt(s *bigcommercetest.Store) *bigcommercetest.Variant {
	for _, p := range s.Products {
		for _, v := range p.Variants {
			if v.ID == shirtSmall {
				return v
			}
		}
	}
	panic("no small shirt")
}

// wantLocations fails unless the variant's (by BigCommerce id) stock is stock and its stored
// levels are at exactly these locations, in order.
func (e *env) wantLocations(shop *stockbell.Shop, variantID int64, stock int, want ...string) {
	e.t.Helper()
	v := e.variant(shop, variantID)
	levels, err := e.db.FindInventoryLevels(ctx, shop.ID, v.ID)
	must(e.t, err)
	var got []string
	for _, l := range levels {
		got = append(got, l.LocationID)
	}
	if v.Stock != stock || !slices.Equal(got, want) {
		e.t.Fatalf("stock %d at %v, want %d at %v", v.Stock, got, stock, want)
	}
}
