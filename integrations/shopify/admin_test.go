package shopify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// bigCatalog puts 20 products of 3 variants in the fake (60 variants, three
// pages of 25); the first variant is stocked at 12 locations, beyond the
// first page of 10 levels.
func (e *env) bigCatalog() {
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
		for p := int64(1); p <= 20; p++ {
			product := &shopifytest.Product{ID: 9_000_000_000_000_000 + p, Title: fmt.Sprintf("Product %d", p),
				Handle: fmt.Sprintf("product-%d", p), Status: "ACTIVE", Published: true, UpdatedAt: e.clock.Now()}
			for v := int64(1); v <= 3; v++ {
				id := 8_000_000_000_000_000 + p*10 + v
				product.Variants = append(product.Variants, &shopifytest.Variant{ID: id, Title: fmt.Sprintf("V%d", v),
					Price: "5.00", Policy: "DENY", InventoryItemID: id + 1_000_000, Tracked: true,
					Levels: []shopifytest.Level{{LocationID: 1, Available: int(v)}}})
			}
			s.Products = append(s.Products, product)
		}
		first := s.Products[0].Variants[0]
		first.Levels = nil
		for loc := int64(1); loc <= 12; loc++ {
			first.Levels = append(first.Levels, shopifytest.Level{LocationID: loc, Available: 1})
		}
	})
}

// TestCatalogSyncPaging syncs every page of variants and every page of levels.
func TestCatalogSyncPaging(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.bigCatalog()
		if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT COUNT(*) FROM variants WHERE shop_id = ?`, shop.ID); n != 60 {
			t.Fatalf("%d variants synced, want 60", n)
		}
		first, levels := e.variant(shop.ID, 8_000_000_000_000_011)
		if first.Stock != 12 || len(levels) != 12 {
			t.Fatalf("first variant stock %d over %d locations, want 12 over 12", first.Stock, len(levels))
		}
		last, _ := e.variant(shop.ID, 8_000_000_000_000_203)
		if last.Stock != 3 || last.ProductTitle != "Product 20" {
			t.Fatalf("last variant %+v", last)
		}
		if calls := e.fake.Shop(shopDomain).GraphQLCalls; calls != 4 {
			t.Fatalf("%d Admin API calls, want 3 variant pages + 1 level page", calls)
		}
	})
}

// TestThrottleWaitsBeforeRunningDry: when the bucket reported by the last
// answer cannot pay for the next query, the client waits for it to restore
// instead of being throttled.
func TestThrottleWaitsBeforeRunningDry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.MaximumAvailable, e.fake.RestoreRate, e.fake.QueryCost = 30, 10, 20
		shop := e.install()
		e.bigCatalog()
		if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.Shop(shopDomain).Throttled; n != 0 {
			t.Fatalf("%d calls throttled, want none", n)
		}
		slept := e.clock.Slept()
		if len(slept) == 0 || slept[0] != time.Second {
			t.Fatalf("waits %v, want the 1 s the bucket needs (20 - 10 points at 10/s) first", slept)
		}
	})
}

// TestThrottledRetry: a THROTTLED answer is retried after the bucket has
// restored the query's cost.
func TestThrottledRetry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.RestoreRate, e.fake.QueryCost = 10, 20
		shop := e.install()
		e.stockTShirt()
		e.fake.Drain(shopDomain)
		if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.Shop(shopDomain).Throttled; n != 1 {
			t.Fatalf("%d throttled answers, want 1", n)
		}
		if slept := e.clock.Slept(); len(slept) != 1 || slept[0] != 2*time.Second {
			t.Fatalf("waits %v, want one of 2 s (20 points at 10/s)", slept)
		}
		if v, _ := e.variant(shop.ID, smallVariant); v.Title != "Small" {
			t.Fatalf("variant %+v", v)
		}
	})
}

// TestRegisterWebhooks creates each subscription once for this server.
func TestRegisterWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Name, s.PrimaryDomain = "Bells & Co", "bells.example" })
		for range 2 {
			if err := e.in.RegisterWebhooks(context.Background(), stockbell.ShopifyRegisterWebhooksJob{ShopID: shop.ID}); err != nil {
				t.Fatal(err)
			}
		}
		subs := e.fake.Shop(shopDomain).Webhooks
		topics := map[string]bool{}
		for _, s := range subs {
			if s.URI != "https://app.example/webhooks/shopify" {
				t.Fatalf("subscription to %s", s.URI)
			}
			topics[s.Topic] = true
		}
		want := []string{"INVENTORY_LEVELS_UPDATE", "INVENTORY_LEVELS_CONNECT", "INVENTORY_LEVELS_DISCONNECT",
			"INVENTORY_ITEMS_UPDATE", "PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE", "APP_UNINSTALLED"}
		if len(subs) != len(want) {
			t.Fatalf("%d subscriptions, want %d: %v", len(subs), len(want), subs)
		}
		for _, topic := range want {
			if !topics[topic] {
				t.Errorf("no subscription to %s", topic)
			}
		}
		// The same query told the shop's name and storefront domain.
		stored, err := db.FindShopByID(context.Background(), shop.ID)
		if err != nil || stored.Name != "Bells & Co" || stored.PrimaryDomain != "bells.example" {
			t.Fatalf("shop details after registration: %+v, %v", stored, err)
		}
		// The app embed reads this server's URL from an app-data metafield,
		// written once: the second run found it and wrote nothing.
		if got := e.fake.Shop(shopDomain).AppMetafields; len(got) != 1 || got["stockbell.server_url"] != "https://app.example" {
			t.Fatalf("app-data metafields %v, want stockbell.server_url = https://app.example", got)
		}
		calls := e.fake.Shop(shopDomain).GraphQLCalls
		if err := e.in.RegisterWebhooks(context.Background(), stockbell.ShopifyRegisterWebhooksJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.Shop(shopDomain).GraphQLCalls - calls; n != 1 {
			t.Errorf("a third registration made %d Admin API calls, want the one listing", n)
		}
	})
}

// TestReconcile re-reads the variants people wait for and applies what
// webhooks missed, dropping locations Shopify no longer lists.
func TestReconcile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID})
		v, _ := e.variant(shop.ID, smallVariant)
		e.queueSubscriber(shop.ID, v.ID, "john@example.com")
		e.clock.Advance(time.Minute)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			s.Products[0].Variants[0].Levels = []shopifytest.Level{{LocationID: warehouse, Available: 4}}
		})
		if err := e.in.Reconcile(ctx, stockbell.ShopifyReconcileJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		v, levels := e.variant(shop.ID, smallVariant)
		if v.Stock != 4 || len(levels) != 1 {
			t.Fatalf("after reconcile: stock %d, levels %v", v.Stock, levels)
		}
		if err := e.in.Reconcile(ctx, stockbell.ShopifyReconcileJob{}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = 'shopify_reconcile'`); n != 1 {
			t.Fatalf("%d per-shop reconcile jobs queued, want 1", n)
		}
	})
}

// TestCatalogSyncKeepsAProductCreatedDuringIt: a product created while the
// sync's listing is in flight is not in it, but its products/create
// webhook, processed meanwhile, stored it: the sync's end keeps it. A
// product Shopify really lost is still marked deleted.
func TestCatalogSyncKeepsAProductCreatedDuringIt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.bigCatalog()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products = s.Products[:2] }) // one page
		sync := func() {
			t.Helper()
			if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
				t.Fatal(err)
			}
		}
		sync()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products = s.Products[1:] }) // Product 1 is gone
		created := readTestdata(t, "products_update.json")                               // the example T-shirt
		var sent bool
		var webhookErr error
		e.fake.Answered = func(query string) {
			if sent || !strings.Contains(query, "StockbellVariants") {
				return
			}
			sent = true // the listing is answered: the merchant adds the T-shirt
			e.stockTShirt()
			webhookErr = e.trySend(shopifytest.Webhook{Topic: shopify.TopicProductsCreate, Body: created})
		}
		sync()
		if !sent || webhookErr != nil {
			t.Fatalf("the T-shirt's webhook during the sync: sent %t, %v", sent, webhookErr)
		}
		if shirt, _ := e.variant(shop.ID, smallVariant); shirt.Deleted {
			t.Fatal("the sync marked deleted a product created while it ran")
		}
		gone, _ := e.variant(shop.ID, 8_000_000_000_000_011)
		kept, _ := e.variant(shop.ID, 8_000_000_000_000_021)
		if !gone.Deleted || kept.Deleted {
			t.Fatalf("vanished product deleted=%v, listed product deleted=%v", gone.Deleted, kept.Deleted)
		}
	})
}

// TestCatalogSyncDeletesVanishedProducts: a product Shopify no longer lists
// (its products/delete webhook was missed) is marked deleted by the next
// complete sync; the others stay.
func TestCatalogSyncDeletesVanishedProducts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.bigCatalog()
		sync := func() {
			if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
				t.Fatal(err)
			}
		}
		sync()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products = s.Products[1:] }) // Product 1 is gone
		sync()
		gone, _ := e.variant(shop.ID, 8_000_000_000_000_011)
		kept, _ := e.variant(shop.ID, 8_000_000_000_000_021)
		if !gone.Deleted || kept.Deleted {
			t.Fatalf("after the second sync: vanished product deleted=%v, listed product deleted=%v", gone.Deleted, kept.Deleted)
		}
		if n := e.count(`SELECT COUNT(*) FROM products WHERE shop_id = ? AND deleted = ?`, shop.ID, true); n != 1 {
			t.Fatalf("%d products deleted, want 1", n)
		}
	})
}

// TestReconcilePassesOverDeletedProducts: the stock check asks Shopify
// nothing of a product deleted there: no restock can come for it, so its
// waiting shoppers' variants are not read every 15 minutes.
func TestReconcilePassesOverDeletedProducts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		if err := e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		v, _ := e.variant(shop.ID, smallVariant)
		e.queueSubscriber(shop.ID, v.ID, "john@example.com")
		if err := db.DeleteProduct(ctx, shop.ID, v.ProductPlatformID); err != nil {
			t.Fatal(err)
		}
		calls := e.fake.Shop(shopDomain).GraphQLCalls
		if err := e.in.Reconcile(ctx, stockbell.ShopifyReconcileJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.Shop(shopDomain).GraphQLCalls - calls; n != 0 {
			t.Fatalf("the stock check made %d Admin API calls for a deleted product, want 0", n)
		}
	})
}
