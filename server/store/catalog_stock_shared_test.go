package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// sharedItem sets up a shop whose variants "parent" and "child", of two
// products, carry one inventory item "inv-shared" (a Shopify combined
// listing), sold out, with a shopper queued for each.
func sharedItem(t *testing.T, db *store.DB) (*stockbell.Shop, []*stockbell.VariantWithProduct) {
	t.Helper()
	shop := install(t, db, stockbell.PlatformShopify, "combined.myshopify.com")
	var variants []*stockbell.VariantWithProduct
	for _, id := range []string{"parent", "child"} {
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p-" + id, Title: id, Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: id, InventoryItemID: "inv-shared", Title: id, Tracked: true,
				Levels: []stockbell.LocationLevel{}}}})
		must(t, err)
		v := variant(t, db, shop.ID, id)
		subscribe(t, db, shop.ID, v.ID, "waiting-"+id+"@example.com", "")
		variants = append(variants, v)
	}
	return shop, variants
}

// wantSharedRestock fails the test unless each variant has the stock and
// one restock job, and the result names each variant once, in id order.
func wantSharedRestock(t *testing.T, db *store.DB, r *stockbell.StockResult, variants []*stockbell.VariantWithProduct, stock int) {
	t.Helper()
	jobs := stockJobs(t, db)
	for _, v := range variants {
		if got := variant(t, db, v.ShopID, v.PlatformID); got.Stock != stock {
			t.Errorf("variant %s stock = %d, want %d", v.PlatformID, got.Stock, stock)
		}
		if jobs[v.ID] != 1 {
			t.Errorf("variant %s has %d restock jobs, want 1 (jobs %v)", v.PlatformID, jobs[v.ID], jobs)
		}
	}
	all := r.All()
	if len(all) != len(variants) {
		t.Fatalf("result names %d variants, want %d: %+v", len(all), len(variants), r)
	}
	for i, v := range variants {
		if all[i].Variant.ID != v.ID || !all[i].Applied || all[i].NewStock != stock {
			t.Errorf("result %d = %+v, want variant %s applied at %d", i, all[i], v.PlatformID, stock)
		}
	}
}

// TestApplyStockChangeToSharedItem: a change naming an inventory item that
// several variants carry changes the stock of each and wakes the restock
// engine for each.
func TestApplyStockChangeToSharedItem(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop, variants := sharedItem(t, db)
		r := apply(t, db, stockbell.StockChange{ShopID: shop.ID, InventoryItemID: "inv-shared", LocationID: "paris", Available: 2,
			At: platformT, Source: "test:push"})
		wantSharedRestock(t, db, r, variants, 2)
		if r.NeedsReread() {
			t.Fatalf("an applied change asks for a re-read: %+v", r)
		}
	})
}

// TestApplyStockChangesToSharedItem: the same in a batch.
func TestApplyStockChangesToSharedItem(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop, variants := sharedItem(t, db)
		outcomes, err := db.ApplyStockChanges(ctx, []stockbell.StockChange{
			{ShopID: shop.ID, InventoryItemID: "inv-shared", LocationID: "paris", Available: 3, At: platformT, Source: "test:push"}})
		must(t, err)
		must(t, outcomes[0].Err)
		wantSharedRestock(t, db, outcomes[0].Result, variants, 3)
	})
}
