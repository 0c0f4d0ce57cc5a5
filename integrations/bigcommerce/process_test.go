package bigcommerce_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func stockJobs(t *testing.T, db *store.DB) int {
	var n int
	must(t, db.DB.Get(&n, `SELECT COUNT(*) FROM river_job WHERE kind = 'variant_stock_changed'`))
	return n
}

// TestInventoryWebhooksReadTheLevelAgain: the webhook's value is a hint;
// the stock applied is the sum of available_to_sell over the locations
// read back, for absolute and order-driven (relative) updates alike.
func TestInventoryWebhooksReadTheLevelAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		// Someone waits for the small shirt, so its restock wakes the
		// restock engine.
		if _, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: e.variant(shop, shirtSmall).ID,
			Email: "ann@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"}); err != nil {
			t.Fatal(err)
		}
		jobs := stockJobs(t, db)

		// Restocked at the shop floor; the hint says 999, which is not the level.
		e.fake.SetVariantLevel(storeHash, shirtSmall, shopFloor, 3)
		if !e.deliver(bigcommerce.ScopeSKUInventory, bigcommercetest.SKUInventory(shirtSmallSKU, shirtID, shirtSmall, "absolute", 999)) {
			t.Fatal("the first delivery was a duplicate")
		}
		if v := e.variant(shop, shirtSmall); v.Stock != 3 || v.SoldOut() {
			t.Fatalf("small shirt after the restock = %+v", v)
		}
		if stockJobs(t, db) != jobs+1 {
			t.Fatalf("%d stock jobs, want one more", stockJobs(t, db)-jobs)
		}

		// An order takes 2 at the warehouse… after another restock there.
		e.fake.SetVariantLevel(storeHash, shirtSmall, warehouse, 5)
		e.fake.SetVariantLevel(storeHash, shirtSmall, warehouse, 3)
		e.clock.Advance(time.Second)
		e.deliver(bigcommerce.ScopeSKUInventoryOrder, bigcommercetest.SKUInventory(shirtSmallSKU, shirtID, shirtSmall, "relative", -2))
		if v := e.variant(shop, shirtSmall); v.Stock != 6 {
			t.Fatalf("small shirt after the order = %d, want 6 (3 + 3 read back)", v.Stock)
		}

		// Product-level tracking: the mug's one stock, for its variants.
		e.fake.SetProductLevel(storeHash, mugID, warehouse, 7)
		e.deliver(bigcommerce.ScopeProductInventory, bigcommercetest.ProductInventory(mugID, "absolute", 7))
		if v := e.variant(shop, mugVariant); v.Stock != 7 || v.SoldOut() {
			t.Fatalf("mug = %+v", v)
		}

		// Tracking turned off: always available.
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
			for _, p := range s.Products {
				if p.ID == mugID {
					p.Tracking = "none"
				}
			}
		})
		e.fake.SetProductLevel(storeHash, mugID, warehouse, 0)
		e.deliver(bigcommerce.ScopeProductUpdated, bigcommercetest.ProductEvent(mugID))
		if v := e.variant(shop, mugVariant); v.Tracked || v.SoldOut() {
			t.Fatalf("untracked mug = %+v", v)
		}
	})
}

// TestDuplicateWebhookIsStoredOnce: BigCommerce's retry of an event has
// the same hash and is stored once.
func TestDuplicateWebhookIsStoredOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.installed()
		d, err := e.fake.Event(storeHash, bigcommerce.ScopeSKUInventory, bigcommercetest.SKUInventory(shirtSmallSKU, shirtID, shirtSmall, "absolute", 1))
		must(t, err)
		if !e.receive(d) || e.receive(d) {
			t.Fatal("the retry was not recognised as a duplicate")
		}
		var n int
		must(t, db.DB.Get(&n, `SELECT COUNT(*) FROM webhook_receipts`))
		if n != 1 {
			t.Fatalf("%d receipts, want 1", n)
		}
	})
}

func TestProductDeletedAndVanished(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		e.deliver(bigcommerce.ScopeProductDeleted, bigcommercetest.ProductEvent(mugID))
		if !e.variant(shop, mugVariant).Deleted {
			t.Fatal("the deleted product was kept")
		}
		// A webhook about a product the store no longer has: read, not found, deleted.
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Products = s.Products[:1] })
		e.deliver(bigcommerce.ScopeProductUpdated, bigcommercetest.ProductEvent(cardID))
		if !e.variant(shop, cardVariant).Deleted {
			t.Fatal("a product the store no longer has was kept")
		}
	})
}

// A 429 from a quota another app used up is waited out and retried.
func TestProcessingWaitsOutA429(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		e.fake.SetVariantLevel(storeHash, shirtSmall, warehouse, 2)
		d, err := e.fake.Event(storeHash, bigcommerce.ScopeSKUInventory, bigcommercetest.SKUInventory(shirtSmallSKU, shirtID, shirtSmall, "absolute", 2))
		must(t, err)
		e.fake.Exhaust(storeHash)
		e.receive(d)
		var throttled int
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) { throttled = s.Throttled })
		if throttled == 0 || e.variant(shop, shirtSmall).Stock != 2 {
			t.Fatalf("throttled %d times, stock %d", throttled, e.variant(shop, shirtSmall).Stock)
		}
	})
}

// TestOrderCreatedRecordsConversions: a new order is read and handed to
// attribution: the notified subscriber who bought converts.
func TestOrderCreatedRecordsConversions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		e.notifiedSubscriber(shop, shirtSmall, "ada@example.com")
		e.clock.Advance(2 * time.Hour)
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
			s.Orders = append(s.Orders, &bigcommercetest.Order{ID: 250, Email: "Ada@Example.com", Created: e.clock.Now(), Currency: "USD",
				Total: "41.4900", Lines: []bigcommercetest.OrderLine{{ProductID: shirtID, VariantID: shirtSmall, Quantity: 2, Price: "19.9900"}}})
		})
		e.deliver(bigcommerce.ScopeOrderCreated, bigcommercetest.OrderEvent(250))
		if c := conversions(t, db); len(c) != 1 || c[0].OrderID != "250" || c[0].Quantity != 2 || c[0].Revenue != 399800 {
			t.Fatalf("conversions = %+v", c)
		}
	})
}

// TestOrderLinesBeyondTheFirstPageConvert: BigCommerce lists an order's
// lines at most 250 a page; a subscriber's line that is the last of a
// 300-line order (on a short second page) or of a 500-line one (two full
// pages, then 204 No Content) still converts.
func TestOrderLinesBeyondTheFirstPageConvert(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		for _, n := range []int64{300, 500} {
			buyer := "buyer" + itoa(n) + "@example.com" // a subscriber converts once
			e.notifiedSubscriber(shop, shirtSmall, buyer)
			e.clock.Advance(2 * time.Hour)
			var lines []bigcommercetest.OrderLine
			for i := range n - 1 { // products Stockbell does not follow
				lines = append(lines, bigcommercetest.OrderLine{ProductID: 5000 + i, VariantID: 9000 + i, Quantity: 1, Price: "1.0000"})
			}
			lines = append(lines, bigcommercetest.OrderLine{ProductID: shirtID, VariantID: shirtSmall, Quantity: 3, Price: "19.9900"})
			e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
				s.Orders = append(s.Orders, &bigcommercetest.Order{ID: 1000 + n, Email: buyer, Created: e.clock.Now(),
					Currency: "USD", Total: "900.0000", Lines: lines})
			})
			e.deliver(bigcommerce.ScopeOrderCreated, bigcommercetest.OrderEvent(1000+n))
			c := conversions(t, db)
			if len(c) == 0 || c[len(c)-1].OrderID != itoa(1000+n) || c[len(c)-1].Quantity != 3 {
				t.Fatalf("%d-line order: conversions = %+v, want its last line, the small shirt", n, c)
			}
		}
	})
}

// notifiedSubscriber records that the variant's subscriber with this email was
// notified now (subscription notified, first message sent).
func (e *env) notifiedSubscriber(shop *stockbell.Shop, variantID int64, email string) {
	e.t.Helper()
	sub, _, err := e.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: e.variant(shop, variantID).ID,
		Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}})
	must(e.t, err)
	now := e.clock.Now()
	_, err = e.db.DB.Exec(e.db.DB.Rebind(`UPDATE subscriptions SET status = 'notified', notified_at = ? WHERE id = ?`), now, sub.ID)
	must(e.t, err)
	_, err = e.db.DB.Exec(e.db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient, status, due_at, created_at, sent_at)
		VALUES (?, ?, 1, 'email', ?, 'sent', ?, ?, ?)`), shop.ID, sub.ID, email, now, now, now)
	must(e.t, err)
}

type conversionRow struct {
	OrderID  string `db:"order_id"`
	Quantity int    `db:"quantity"`
	Revenue  int64  `db:"revenue"`
}

func conversions(t *testing.T, db *store.DB) []conversionRow {
	t.Helper()
	var rows []conversionRow
	must(t, db.DB.Select(&rows, `SELECT order_id, quantity, revenue FROM conversions ORDER BY id`))
	return rows
}
