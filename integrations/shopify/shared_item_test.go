package shopify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// The parent product of a combined listing: its variant carries the
// Small T-shirt's inventory item, as Shopify's combined listings share
// one item between a parent's variant and its child's.
const (
	parentProduct = int64(788032119674292931)
	parentVariant = int64(642667041472713931)
)

// listSmallInParent adds the combined listing's parent product to the
// fake after the T-shirt (the item's first variant, which holds it in the
// fake), its variant sharing the Small T-shirt's inventory item.
func (e *env) listSmallInParent() {
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
		s.Products = append(s.Products, &shopifytest.Product{
			ID: parentProduct, Title: "T-Shirt (all colours)", Handle: "t-shirt", Status: "ACTIVE", Published: true,
			UpdatedAt: e.clock.Now().Add(-time.Hour),
			Variants: []*shopifytest.Variant{{ID: parentVariant, Title: "Small / White", Price: "19.99", Policy: "DENY",
				InventoryItemID: smallItem, Tracked: true}},
		})
	})
}

// wantSharedStock fails the test unless both variants of the shared item
// are stored with the stock, and no query asked for a deprecated field.
func (e *env) wantSharedStock(shopID int64, stock int) {
	e.t.Helper()
	for _, id := range []int64{smallVariant, parentVariant} {
		v, levels := e.variant(shopID, id)
		if v.Stock != stock || !v.Tracked {
			e.t.Errorf("variant %d: stock %d tracked %v (levels %v), want %d tracked", id, v.Stock, v.Tracked, levels, stock)
		}
	}
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
		if len(s.Deprecated) > 0 {
			e.t.Errorf("Shopify answered deprecated fields: %v", s.Deprecated)
		}
	})
}

// syncedCombinedListing installs the shop and syncs its catalog: the
// example T-shirt and the parent product sharing Small's item.
func (e *env) syncedCombinedListing() *stockbell.Shop {
	shop := e.install()
	e.stockTShirt()
	e.listSmallInParent()
	if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
		e.t.Fatal(err)
	}
	return shop
}

// restockSmall sets the Small T-shirt's item to 4 at the warehouse in the
// fake and sends its inventory_levels/update.
func (e *env) restockSmall() {
	e.clock.Advance(time.Minute)
	e.fake.SetLevel(shopDomain, smallItem, warehouse, 4)
	e.mustSend(shopifytest.Webhook{Topic: "inventory_levels/update", Body: levelBody(smallItem, warehouse, 4, e.clock.Now())})
}

// TestSharedItemSyncedAndRestocked: the catalog sync stores both variants
// of a shared item with its levels, and a level webhook for the item
// restocks both, processed alone or with other receipts.
func TestSharedItemSyncedAndRestocked(t *testing.T) {
	for _, together := range []bool{false, true} {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			shop := e.syncedCombinedListing()
			e.wantSharedStock(shop.ID, 0)
			e.restockSmall()
			if together {
				e.drainTogether()
			} else {
				e.runWebhookJobs()
			}
			e.wantSharedStock(shop.ID, 4)
		})
	}
}

// TestSharedItemUnknownIsReadWithEveryVariant: a level webhook for an item
// not yet in the catalog reads it from the Admin API with every variant
// carrying it (InventoryItem.variants), not the deprecated single one.
func TestSharedItemUnknownIsReadWithEveryVariant(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.listSmallInParent()
		e.restockSmall()
		e.runWebhookJobs()
		e.wantSharedStock(shop.ID, 4)
	})
}

// TestSharedItemReread: a change the store cannot order (a second webhook
// in the first's second, with another quantity) is read again from
// Shopify for every variant of the item.
func TestSharedItemReread(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedCombinedListing()
		e.restockSmall()
		e.runWebhookJobs()
		e.fake.SetLevel(shopDomain, smallItem, warehouse, 9)
		e.mustSend(shopifytest.Webhook{Topic: "inventory_levels/update", Body: levelBody(smallItem, warehouse, 7, e.clock.Now())})
		e.runWebhookJobs()
		e.wantSharedStock(shop.ID, 9)
	})
}

// parentWaitedFor syncs the combined listing, queues a shopper for the
// parent's variant, and lets a minute pass.
func (e *env) parentWaitedFor() *stockbell.Shop {
	e.t.Helper()
	shop := e.syncedCombinedListing()
	parent, _ := e.variant(shop.ID, parentVariant)
	e.queueSubscriber(shop.ID, parent.ID, "parent@example.com")
	e.clock.Advance(time.Minute)
	return shop
}

// TestSharedItemReconciled: the stock check, reading the item of a
// variant someone waits for, applies its levels to every variant carrying
// it, the variants no one waits for included.
func TestSharedItemReconciled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.parentWaitedFor()
		e.fake.SetLevel(shopDomain, smallItem, pointOfSale, 2) // its webhook missed
		if err := e.in.Reconcile(context.Background(), stockbell.ShopifyReconcileJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		e.wantSharedStock(shop.ID, 2)
	})
}

// TestSharedItemReconciledWhileALocationConnects: the stock check reads
// the shared item without the warehouse, Shopify no longer stocking it
// there; while the answer is in flight, a third location is connected
// with 3 units and its webhook processed. The read drops the warehouse
// from both variants and keeps the new location, which it did not list
// but which changed after it began.
func TestSharedItemReconciledWhileALocationConnects(t *testing.T) {
	const annex = int64(71298345)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.parentWaitedFor()
		e.fake.DisconnectLevel(shopDomain, smallItem, warehouse) // its webhook missed
		var sent bool
		var connected error
		e.fake.Answered = func(query string) {
			if sent || !strings.Contains(query, "StockbellInventoryItems") {
				return
			}
			sent = true
			e.clock.Advance(time.Second)
			e.fake.SetLevel(shopDomain, smallItem, annex, 3)
			connected = e.trySend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsConnect, Body: levelBody(smallItem, annex, 3, e.clock.Now())})
		}
		if err := e.in.Reconcile(context.Background(), stockbell.ShopifyReconcileJob{ShopID: shop.ID}); err != nil || !sent || connected != nil {
			t.Fatalf("reconcile: %v; the connect webhook during it: sent %t, %v", err, sent, connected)
		}
		e.wantSharedStock(shop.ID, 3)
		for _, id := range []int64{smallVariant, parentVariant} {
			if _, levels := e.variant(shop.ID, id); len(levels) != 2 || levels[itoa(pointOfSale)] != 0 || levels[itoa(annex)] != 3 {
				t.Errorf("variant %d's levels %v, want the point of sale's 0 and the annex's 3", id, levels)
			}
		}
	})
}
