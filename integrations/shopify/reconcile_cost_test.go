package shopify_test

import (
	"context"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestReconcileOfManyItemsStaysUnderTheQueryCostLimit: Shopify refuses a
// query whose requested cost exceeds 1,000 points (MAX_COST_EXCEEDED)
// before running it. With shoppers waiting on 30 variants, one of them
// stocked at 12 locations, the stock check's reads stay under it and
// apply every level.
func TestReconcileOfManyItemsStaysUnderTheQueryCostLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		shop := e.install()
		e.bigCatalog()
		if err := e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		var waited []int64
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			for _, p := range s.Products[:10] {
				for _, v := range p.Variants {
					waited = append(waited, v.ID)
				}
			}
		})
		for _, id := range waited {
			v, _ := e.variant(shop.ID, id)
			e.queueSubscriber(shop.ID, v.ID, "wait@example.com")
		}
		e.clock.Advance(time.Minute)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			for _, p := range s.Products[:10] {
				for _, v := range p.Variants {
					v.Levels[0].Available = 7
				}
			}
		})
		if err := e.in.Reconcile(ctx, stockbell.ShopifyReconcileJob{ShopID: shop.ID}); err != nil {
			t.Fatalf("the stock check of 30 variants: %v", err)
		}
		for i, id := range waited {
			want := 7
			if i == 0 {
				want = 7 + 11 // its 11 other locations hold 1 each
			}
			if v, levels := e.variant(shop.ID, id); v.Stock != want {
				t.Errorf("variant %d after the stock check: stock %d (levels %v), want %d", id, v.Stock, levels, want)
			}
		}
	})
}
