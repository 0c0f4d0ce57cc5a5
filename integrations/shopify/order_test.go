package shopify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/restock/restocktest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// These tests play Shopify's clock on the fake (e.clock) and, where they
// say so, give Stockbell a clock of its own standing apart from it.

// skewedClock is Stockbell's clock, skew away from the platform's.
type skewedClock struct {
	platform *shopifytest.Clock
	skew     time.Duration
}

func (c skewedClock) Now() time.Time { return c.platform.Now().Add(c.skew) }

// skew gives Stockbell (store, integration, Admin API client) a clock
// standing d away from Shopify's.
func (e *env) skew(d time.Duration) {
	c := skewedClock{platform: e.clock, skew: d}
	e.db.Clock, e.in.Clock, e.in.Admin.Clock, e.tokens.Clock = c, c, c, c
}

// sync runs a catalog sync (a read of Shopify at the fake clock's now).
func (e *env) sync(shopID int64) {
	e.t.Helper()
	if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shopID}); err != nil {
		e.t.Fatal(err)
	}
}

// restockAt sets the warehouse level of the small T-shirt on the fake at
// platform time at, and delivers Shopify's webhook for it (updated_at in
// whole seconds, as Shopify sends it).
func (e *env) restockAt(at time.Time, available int) {
	e.t.Helper()
	e.clock.Set(at)
	e.fake.SetLevel(shopDomain, smallItem, warehouse, available)
	e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, available, at)})
	e.runWebhookJobs()
}

func (e *env) graphQLCalls() int {
	var n int
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) { n = s.GraphQLCalls })
	return n
}

func (e *env) events(variantID int64, kind stockbell.EventKind) int {
	return e.count(`SELECT COUNT(*) FROM events WHERE variant_id = ? AND kind = ?`, variantID, kind)
}

// waitingForSmall syncs the T-shirt and queues two subscribers on the
// sold-out small variant.
func (e *env) waitingForSmall(shopID int64) *stockbell.VariantWithProduct {
	e.sync(shopID)
	v, _ := e.variant(shopID, smallVariant)
	e.queueSubscriber(shopID, v.ID, "ann@example.com")
	e.queueSubscriber(shopID, v.ID, "bob@example.com")
	return v
}

// TestRestockInTheSecondOfARead: a catalog read at T, then stock returns a
// few hundred milliseconds later and Shopify's webhook carries updated_at T
// (whole seconds). The change is applied and the subscribers notified,
// whether the level the read saw last changed long before (applied as it
// comes) or in that same second (re-read through the Admin API).
func TestRestockInTheSecondOfARead(t *testing.T) {
	for _, lastChange := range []time.Duration{time.Hour, 0} {
		t.Run(fmt.Sprintf("level changed %s before the read", lastChange), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				e.stockTShirt()
				T := e.clock.Now()
				e.clock.Set(T.Add(-lastChange + 100*time.Millisecond)) // a sale sold it out then
				e.fake.SetLevel(shopDomain, smallItem, warehouse, 0)
				e.clock.Set(T.Add(300 * time.Millisecond))
				v := e.waitingForSmall(shop.ID)
				calls := e.graphQLCalls()

				e.restockAt(T.Add(700*time.Millisecond), 2)
				if got, levels := e.variant(shop.ID, smallVariant); got.Stock != 2 || levels[itoa(warehouse)] != 2 {
					t.Fatalf("after the restock: stock %d, levels %v", got.Stock, levels)
				}
				rereads, wantCalls := e.events(v.ID, stockbell.EventStockChangeReread), calls
				if lastChange == 0 {
					wantCalls++ // the re-read
				}
				if rereads != wantCalls-calls || e.graphQLCalls() != wantCalls {
					t.Fatalf("%d re-read events and %d Admin API calls after the webhook, want %d", rereads, e.graphQLCalls()-calls, wantCalls-calls)
				}
				restocktest.Run(t, db)
				restocktest.WantNotified(t, db, v.ID, 2)
			})
		})
	}
}

// TestOlderWebhookAfterAReadWithoutTime: the read carries no time of the
// level, and the webhook's updated_at is seconds older than the read by
// Stockbell's clock (5 s ahead of Shopify's). The webhook is resolved by
// re-reading through the fake: a restock is applied, a stale change is not.
func TestOlderWebhookAfterAReadWithoutTime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.skew(5 * time.Second)
		e.fake.OmitLevelUpdatedAt = true
		shop := e.install()
		e.stockTShirt()
		T := e.clock.Now()
		v := e.waitingForSmall(shop.ID)
		calls := e.graphQLCalls()

		e.restockAt(T.Add(time.Second), 2) // 4 s before the read, by Stockbell's clock
		if got, _ := e.variant(shop.ID, smallVariant); got.Stock != 2 {
			t.Fatalf("restock with an older updated_at: stock %d, want 2", got.Stock)
		}
		if e.graphQLCalls() != calls+1 || e.events(v.ID, stockbell.EventStockChangeReread) != 1 {
			t.Fatalf("%d Admin API calls, %d re-read events: want the webhook resolved by one re-read",
				e.graphQLCalls()-calls, e.events(v.ID, stockbell.EventStockChangeReread))
		}
		restocktest.Run(t, db)
		restocktest.WantNotified(t, db, v.ID, 2)
		// A stale change delivered late: the fake still says 2.
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 9, T.Add(-time.Minute))})
		e.runWebhookJobs()
		if got, _ := e.variant(shop.ID, smallVariant); got.Stock != 2 {
			t.Fatalf("a late stale change made stock %d, want 2", got.Stock)
		}
	})
}

// TestClockSkew: Stockbell's clock stands 5 s ahead of or behind Shopify's.
// History on Shopify: restocked to 5 at P-2 (its webhook is late), sold out
// at P-1, read by Stockbell at P, restocked to 2 at P+1, one sold at P+2.
// No change is lost, no stale change is applied, and the subscribers are
// notified once.
func TestClockSkew(t *testing.T) {
	for _, skew := range []time.Duration{5 * time.Second, -5 * time.Second} {
		t.Run(fmt.Sprintf("Stockbell %+ds", int(skew.Seconds())), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				e.skew(skew)
				shop := e.install()
				e.stockTShirt()
				P := e.clock.Now()
				e.clock.Set(P.Add(-2 * time.Second))
				e.fake.SetLevel(shopDomain, smallItem, warehouse, 5)
				e.clock.Set(P.Add(-time.Second))
				e.fake.SetLevel(shopDomain, smallItem, warehouse, 0)
				e.clock.Set(P)
				v := e.waitingForSmall(shop.ID)
				stock := func(want int, what string) {
					t.Helper()
					if got, _ := e.variant(shop.ID, smallVariant); got.Stock != want {
						t.Fatalf("%s: stock %d, want %d", what, got.Stock, want)
					}
				}

				e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 5, P.Add(-2*time.Second))})
				e.runWebhookJobs()
				stock(0, "the late webhook of a restock the read already saw sold")
				e.restockAt(P.Add(time.Second), 2)
				stock(2, "a restock a second after the read")
				restocktest.Run(t, db)
				if err := e.in.Reconcile(context.Background(), stockbell.ShopifyReconcileJob{ShopID: shop.ID}); err != nil {
					t.Fatal(err)
				}
				e.restockAt(P.Add(2*time.Second), 1)
				e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 2, P.Add(time.Second))})
				e.runWebhookJobs()
				stock(1, "an older webhook after a newer one")
				if e.events(v.ID, stockbell.EventStockChangeIgnored) != 1 || e.events(v.ID, stockbell.EventStockChangeReread) != 1 {
					t.Fatalf("%d ignored and %d re-read events, want one of each", e.events(v.ID, stockbell.EventStockChangeIgnored),
						e.events(v.ID, stockbell.EventStockChangeReread))
				}
				restocktest.WantNotified(t, db, v.ID, 2)
			})
		})
	}
}

// TestDisconnectWithoutPlatformTime: a disconnect with neither updated_at
// nor X-Shopify-Triggered-At carries no platform time, and Stockbell's
// receive time (5 s ahead of Shopify's) does not stand in for one: the
// level is re-read, and Shopify still stocks the location.
func TestDisconnectWithoutPlatformTime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.skew(5 * time.Second)
		shop := e.install()
		e.stockTShirt()
		P := e.clock.Now()
		v := e.waitingForSmall(shop.ID)
		e.restockAt(P.Add(time.Second), 2)

		e.mustSendWithoutTriggeredAt(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsDisconnect,
			Body: []byte(fmt.Sprintf(`{"inventory_item_id":%d,"location_id":%d}`, smallItem, warehouse))})
		e.runWebhookJobs()
		if got, levels := e.variant(shop.ID, smallVariant); got.Stock != 2 || levels[itoa(warehouse)] != 2 {
			t.Fatalf("after a disconnect without a time that Shopify does not show: stock %d, levels %v", got.Stock, levels)
		}
		if n := e.events(v.ID, stockbell.EventStockChangeReread); n != 1 {
			t.Fatalf("%d re-read events, want 1", n)
		}
	})
}
