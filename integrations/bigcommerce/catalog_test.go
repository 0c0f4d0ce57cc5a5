package bigcommerce_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSyncCatalog reads every product with its variants and levels and
// follows each product's inventory tracking.
func TestSyncCatalog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		large := e.variant(shop, shirtLarge)
		if large.Stock != 5 || !large.Tracked || large.InventoryPolicy != stockbell.InventoryDeny || large.Title != "Large" ||
			large.Price != "21.50" || large.SKU != "SHIRT-L" || large.ProductTitle != "Sample Shirt" ||
			large.URL != "https://shop.bells.example/sample-shirt/" || large.ImageURL != "https://cdn.example/shirt.jpg" {
			t.Fatalf("large shirt = %+v", large)
		}
		levels, err := db.FindInventoryLevels(ctx, large.ShopID, large.ID)
		must(t, err)
		if len(levels) != 2 || levels[0].LocationID != "1" || levels[0].Available != 4 || levels[1].Available != 1 {
			t.Fatalf("large shirt levels = %+v", levels)
		}
		small := e.variant(shop, shirtSmall)
		if small.Stock != 0 || !small.SoldOut() || small.Price != "19.99" || small.InventoryItemID != "461" {
			t.Fatalf("small shirt = %+v", small)
		}
		if mug := e.variant(shop, mugVariant); mug.Stock != 0 || !mug.SoldOut() {
			t.Fatalf("mug (tracked per product) = %+v", mug)
		}
		if card := e.variant(shop, cardVariant); card.Tracked || card.SoldOut() {
			t.Fatalf("gift card (not tracked) = %+v", card)
		}
		if poster := e.variant(shop, posterVariant); poster.InventoryPolicy != stockbell.InventoryContinue || poster.SoldOut() {
			t.Fatalf("preorder poster = %+v", poster)
		}
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID})
		must(t, err)
		var d map[string]any
		json.Unmarshal([]byte(log[0].Detail), &d)
		if len(log) != 1 || log[0].Kind != stockbell.EventSyncFinished || d["source"] != "bigcommerce:catalog" || d["items"] != 5.0 {
			t.Fatalf("sync log = %+v", log)
		}

		// A product gone from the store is marked deleted by the next sync.
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Products = s.Products[1:] })
		must(t, e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}))
		if v := e.variant(shop, shirtLarge); !v.Deleted {
			t.Fatal("a vanished product was not marked deleted")
		}
	})
}

// TestSyncKeepsAProductCreatedDuringIt: a product created while a sync's
// listing is in flight is not in that listing, but its store/product/created
// webhook, processed meanwhile, found it: the sync's end does not mark it
// deleted as vanished. A product the store really lost still is.
func TestSyncKeepsAProductCreatedDuringIt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		const lampID, lampVariant = int64(900), int64(901)
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Products = s.Products[:3] }) // the poster is gone
		var created bool
		var webhookErr error
		e.fake.Answered = func(r *http.Request) {
			if created || r.URL.Path != "/stores/"+storeHash+"/v3/catalog/products" {
				return
			}
			created = true // the listing is answered: the merchant adds a lamp
			e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
				s.Products = append(s.Products, &bigcommercetest.Product{ID: lampID, Name: "Lamp", URL: "/lamp/", Visible: true,
					Availability: "available", Tracking: "variant", Price: "30", Modified: e.clock.Now(),
					Variants: []*bigcommercetest.Variant{{ID: lampVariant, SKU: "LAMP", Levels: map[int64]int{warehouse: 0}}}})
			})
			webhookErr = e.tryDeliver(bigcommerce.ScopeProductCreated, bigcommercetest.ProductEvent(lampID))
		}
		must(t, e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}))
		if !created || webhookErr != nil {
			t.Fatalf("the lamp's webhook during the sync: delivered %t, %v", created, webhookErr)
		}
		if lamp := e.variant(shop, lampVariant); lamp.Deleted {
			t.Fatal("the sync marked deleted a product created while it ran")
		}
		if !e.variant(shop, posterVariant).Deleted {
			t.Fatal("the product the store lost was kept")
		}
		// The next sync lists the lamp: still kept.
		must(t, e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}))
		if e.variant(shop, lampVariant).Deleted {
			t.Fatal("the lamp was marked deleted by the next sync")
		}
	})
}

// TestSyncCatalogPagesUnderTheRateLimit syncs 600 products (three pages)
// from a store allowing 4 requests per 10 s window: the client waits out
// each window (X-Rate-Limit-Time-Reset-Ms) and retries what was refused.
func TestSyncCatalogPagesUnderTheRateLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Quota, e.fake.Window = 4, 10*time.Second
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
			s.Products = nil
			for i := range 600 {
				id := int64(10_000 + i)
				s.Products = append(s.Products, &bigcommercetest.Product{ID: id, Name: fmt.Sprint("Item ", i), URL: fmt.Sprintf("/item-%d/", i),
					Visible: true, Availability: "available", Tracking: "variant", Price: "5", Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
					Variants: []*bigcommercetest.Variant{{ID: id * 10, SKU: fmt.Sprint("SKU-", i), Levels: map[int64]int{warehouse: i % 4}}}})
			}
		})
		shop := e.install()
		must(t, e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}))
		_, total, err := db.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shop.ID})
		must(t, err)
		if total != 600 {
			t.Fatalf("%d variants synced, want 600", total)
		}
		if v := e.variant(shop, 10_599*10); v.Stock != 3 {
			t.Fatalf("last item's stock = %d, want 3", v.Stock)
		}
		var requests int
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) { requests = s.Requests })
		if len(e.clock.Slept()) == 0 || requests < 6 {
			t.Fatalf("%d requests, slept %v: the rate limit was not honoured", requests, e.clock.Slept())
		}
		for _, d := range e.clock.Slept() {
			if d > 10*time.Second {
				t.Fatalf("slept %s, longer than the window", d)
			}
		}
	})
}

// TestSyncSurvivesADeletionBetweenPages: the merchant deletes a product of
// the listing's first page while the sync reads it. The second page still
// starts right after the last product of the first (the list is paged by
// id, not by page number, which the deletion would shift), so no product
// the store still has is skipped and marked deleted as vanished.
func TestSyncSurvivesADeletionBetweenPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const first, count = int64(10_000), 300 // two pages of 250
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
			s.Products = nil
			for i := range count {
				id := first + int64(i)
				s.Products = append(s.Products, &bigcommercetest.Product{ID: id, Name: fmt.Sprint("Item ", i), URL: fmt.Sprintf("/item-%d/", i),
					Visible: true, Availability: "available", Tracking: "variant", Price: "5", Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
					Variants: []*bigcommercetest.Variant{{ID: id * 10, SKU: fmt.Sprint("SKU-", i), Levels: map[int64]int{warehouse: 1}}}})
			}
		})
		shop := e.install()
		must(t, e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}))

		pages := 0
		e.fake.Answered = func(r *http.Request) {
			if r.URL.Path != "/stores/"+storeHash+"/v3/catalog/products" {
				return
			}
			if pages++; pages == 1 { // the first page is answered: the merchant deletes its first product
				e.fake.DeleteProduct(storeHash, first)
			}
		}
		must(t, e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}))
		e.fake.Answered = nil
		if pages < 2 {
			t.Fatalf("the listing took %d pages, want 2", pages)
		}
		for i := 1; i < count; i++ {
			if v := e.variant(shop, (first+int64(i))*10); v.Deleted {
				t.Fatalf("item %d, still on the store, was marked deleted", i)
			}
		}
	})
}
