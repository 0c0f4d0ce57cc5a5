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
	"github.com/stockbell/stockbell/server/restock/restocktest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAReconciliationInFlightDoesNotBringBackADisconnectedWarehouse: Ada
// waits for the sold-out Small T-shirt. Shopify's warehouse gets 2 units
// (its webhook missed); the stock check reads them, and while its answer
// is in flight the warehouse stops stocking the item and the disconnect
// webhook is processed. The read, older than the disconnect, does not
// count the warehouse again: the Small T-shirt stays sold out and Ada is
// not told it is back.
func TestAReconciliationInFlightDoesNotBringBackADisconnectedWarehouse(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, v := e.adaWaitsForSmall()
		e.clock.Advance(time.Minute)
		e.fake.SetLevel(shopDomain, smallItem, warehouse, 2)
		var sent bool
		var disconnected error
		e.fake.Answered = func(query string) {
			if sent || !strings.Contains(query, "StockbellInventoryItems") {
				return
			}
			sent, disconnected = true, e.disconnectWarehouse()
		}
		if err := e.in.Reconcile(context.Background(), stockbell.ShopifyReconcileJob{ShopID: shop.ID}); err != nil || !sent || disconnected != nil {
			t.Fatalf("reconcile: %v; the disconnect webhook during it: sent %t, %v", err, sent, disconnected)
		}
		e.wantSmallSoldOutAtThePointOfSale(shop.ID)
		restocktest.Run(t, db)
		restocktest.WantNotified(t, db, v.ID, 0)
		if n := e.events(v.ID, stockbell.EventStockChangeIgnored); n != 1 {
			t.Fatalf("%d ignored stock changes, want the warehouse's read", n)
		}
	})
}

// TestALateUpdateDoesNotBringBackADisconnectedWarehouse: the warehouse's
// update to 2 units is delivered after its disconnect, which Shopify
// made a second later. It is ignored as older: the Small T-shirt stays
// sold out and Ada is not told it is back.
func TestALateUpdateDoesNotBringBackADisconnectedWarehouse(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, v := e.adaWaitsForSmall()
		e.clock.Advance(time.Minute)
		restockedAt := e.clock.Now()
		e.fake.SetLevel(shopDomain, smallItem, warehouse, 2)
		if err := e.disconnectWarehouse(); err != nil {
			t.Fatal(err)
		}
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 2, restockedAt)})
		e.runWebhookJobs()

		e.wantSmallSoldOutAtThePointOfSale(shop.ID)
		restocktest.Run(t, db)
		restocktest.WantNotified(t, db, v.ID, 0)
	})
}

// adaWaitsForSmall syncs the T-shirt, its Small variant sold out at the
// warehouse and the point of sale, and queues Ada for it.
func (e *env) adaWaitsForSmall() (*stockbell.Shop, *stockbell.VariantWithProduct) {
	e.t.Helper()
	shop := e.install()
	e.stockTShirt()
	e.sync(shop.ID)
	v, _ := e.variant(shop.ID, smallVariant)
	e.queueSubscriber(shop.ID, v.ID, "ada@example.com")
	return shop, v
}

// disconnectWarehouse stops the warehouse stocking the Small T-shirt a
// second from now on Shopify, and delivers and processes the disconnect
// webhook, which carries no time of its own (its triggered-at is
// Shopify's), 100 ms later.
func (e *env) disconnectWarehouse() error {
	e.clock.Advance(time.Second)
	e.fake.DisconnectLevel(shopDomain, smallItem, warehouse)
	hook := shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsDisconnect, TriggeredAt: e.clock.Now(),
		Body: []byte(fmt.Sprintf(`{"inventory_item_id":%d,"location_id":%d}`, smallItem, warehouse))}
	e.clock.Advance(100 * time.Millisecond)
	return e.trySend(hook)
}

// wantSmallSoldOutAtThePointOfSale fails unless the Small T-shirt is sold
// out with the point of sale as its only location.
func (e *env) wantSmallSoldOutAtThePointOfSale(shopID int64) {
	e.t.Helper()
	got, levels := e.variant(shopID, smallVariant)
	if got.Stock != 0 || len(levels) != 1 || levels[itoa(pointOfSale)] != 0 {
		e.t.Fatalf("Small T-shirt: stock %d, levels %v, want sold out at the point of sale alone", got.Stock, levels)
	}
}
