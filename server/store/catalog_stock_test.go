package store_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// soldOut sets up a shop with one tracked variant "v1" (inventory item
// "inv-v1") and no stock at any location.
func soldOut(t *testing.T, db *store.DB) (*stockbell.Shop, *stockbell.VariantWithProduct) {
	t.Helper()
	shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
	product(t, db, shop.ID, "p1", map[string]int{"v1": -1})
	return shop, variant(t, db, shop.ID, "v1")
}

// awaitedSoldOut is soldOut with one shopper queued for "v1", so that
// each applied change wakes the restock engine.
func awaitedSoldOut(t *testing.T, db *store.DB) (*stockbell.Shop, *stockbell.VariantWithProduct) {
	t.Helper()
	shop, v := soldOut(t, db)
	subscribe(t, db, shop.ID, v.ID, "waiting@example.com", "")
	return shop, v
}

func apply(t *testing.T, db *store.DB, c stockbell.StockChange) *stockbell.StockResult {
	t.Helper()
	r, err := db.ApplyStockChange(ctx, c)
	must(t, err)
	return r
}

func TestApplyStockChangeSumsLocations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, v := awaitedSoldOut(t, db)
		at := clock.Now().Add(-time.Minute)
		r := apply(t, db, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: "paris", Available: 2, At: at, Source: "test"})
		if !r.Applied || r.OldStock != 0 || r.NewStock != 2 || r.Variant.Stock != 2 || r.Variant.ID != v.ID {
			t.Fatalf("first change = %+v", r)
		}
		r = apply(t, db, stockbell.StockChange{ShopID: shop.ID, InventoryItemID: "inv-v1", LocationID: "lyon", Available: 3, At: at})
		if !r.Applied || r.OldStock != 2 || r.NewStock != 5 {
			t.Fatalf("second location = %+v", r)
		}
		r = apply(t, db, stockbell.StockChange{ShopID: shop.ID, InventoryItemID: "inv-v1", LocationID: "paris", Disconnected: true, At: at.Add(time.Second)})
		if !r.Applied || r.OldStock != 5 || r.NewStock != 3 {
			t.Fatalf("disconnect = %+v", r)
		}
		levels, err := db.FindInventoryLevels(ctx, v.ShopID, v.ID)
		must(t, err)
		if len(levels) != 1 || levels[0].LocationID != "lyon" || levels[0].Available != 3 {
			t.Fatalf("levels after disconnect = %+v", levels)
		}
		if got := variant(t, db, shop.ID, "v1"); got.Stock != 3 || !got.Purchasable() {
			t.Fatalf("stored variant = %+v", got)
		}
		if jobs := stockJobs(t, db); jobs[v.ID] != 3 {
			t.Fatalf("stock jobs = %v, want 3 for variant %d", jobs, v.ID)
		}
		kind := stockbell.EventStockChanged
		events, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &v.ShopID, VariantID: &v.ID, Kind: &kind})
		must(t, err)
		if total != 3 {
			t.Fatalf("%d stock events, want 3", total)
		}
		var detail map[string]any
		must(t, json.Unmarshal([]byte(events[2].Detail), &detail))
		if detail["old_stock"] != 0.0 || detail["new_stock"] != 2.0 || detail["location_id"] != "paris" || detail["source"] != "test" {
			t.Fatalf("oldest stock event detail = %v", detail)
		}
	})
}

func TestApplyStockChangeOutOfOrderAndDuplicates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, v := awaitedSoldOut(t, db)
		t1, t2 := clock.Now().Add(-2*time.Minute), clock.Now().Add(-time.Minute)
		change := stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: "paris", Available: 4, At: t2}
		apply(t, db, change)

		dup := apply(t, db, change)
		if dup.Applied || dup.NewStock != 4 || dup.OldStock != 4 {
			t.Fatalf("duplicate = %+v", dup)
		}
		older := change
		older.At, older.Available = t1, 9
		if r := apply(t, db, older); r.Applied || r.NewStock != 4 {
			t.Fatalf("older change = %+v", r)
		}
		olderDisconnect := older
		olderDisconnect.Disconnected = true
		if r := apply(t, db, olderDisconnect); r.Applied || r.NewStock != 4 {
			t.Fatalf("older disconnect = %+v", r)
		}
		// Nanoseconds beyond what PostgreSQL stores do not defeat duplicate detection.
		nano := change
		nano.At = t2.Add(300 * time.Nanosecond)
		if r := apply(t, db, nano); r.Applied {
			t.Fatalf("a duplicate differing in nanoseconds was applied: %+v", r)
		}
		if got := variant(t, db, shop.ID, "v1"); got.Stock != 4 {
			t.Fatalf("stock = %d, want 4", got.Stock)
		}
		if jobs := stockJobs(t, db); jobs[v.ID] != 1 {
			t.Fatalf("stock jobs = %v, want only the applied change's", jobs)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = ?`, stockbell.EventStockChanged); n != 1 {
			t.Fatalf("%d stock events, want 1", n)
		}
		ignored := eventDetails(t, db, v, stockbell.EventStockChangeIgnored)
		if len(ignored) != 2 || ignored[0]["available"] != 9.0 || !strings.Contains(ignored[0]["reason"].(string), "older") ||
			ignored[1]["disconnected"] != true {
			t.Fatalf("ignored-change events = %v, want the older change and the older disconnect", ignored)
		}
		// A disconnect of a location that stocks nothing changes nothing.
		gone := stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: "nowhere", Disconnected: true}
		if r := apply(t, db, gone); r.Applied {
			t.Fatalf("disconnecting an unknown location = %+v", r)
		}
	})
}

func TestApplyStockChangeErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, _ := soldOut(t, db)
		_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "missing", Available: 1})
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID + 1, VariantPlatformID: "v1", Available: 1})
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, Available: 1})
		wantCode(t, err, stockbell.EINVALID, "variant")
		_, err = db.ApplyStockChange(ctx, stockbell.StockChange{VariantPlatformID: "v1", Available: 1})
		wantCode(t, err, stockbell.EINVALID, "shop_id")
	})
}

func TestApplyStockChangeRollsBackWithItsJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, v := awaitedSoldOut(t, db)
		real := db.Queue
		db.Queue = &failingQueue{inner: real, n: 1}
		_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: "paris", Available: 7})
		if err != errQueueFailed {
			t.Fatalf("ApplyStockChange with a failing queue = %v", err)
		}
		db.Queue = real
		if jobs := stockJobs(t, db); len(jobs) != 0 {
			t.Fatalf("the job of a rolled-back change remains: %v", jobs)
		}
		if got := variant(t, db, shop.ID, "v1"); got.Stock != 0 {
			t.Fatalf("stock after rollback = %d", got.Stock)
		}
		levels, err := db.FindInventoryLevels(ctx, v.ShopID, v.ID)
		must(t, err)
		if len(levels) != 0 || count(t, db, `SELECT COUNT(*) FROM events WHERE kind = ?`, stockbell.EventStockChanged) != 0 {
			t.Fatalf("a rolled-back change left levels %v or events", levels)
		}
	})
}

// TestApplyStockChangeConcurrent applies changes to one variant from many
// goroutines at once: each must be counted in the final sum.
func TestApplyStockChangeConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, v := awaitedSoldOut(t, db)
		const writers = 16
		var wg sync.WaitGroup
		errs := make(chan error, writers*2)
		want := 0
		for i := range writers {
			want += i + 1
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1",
					LocationID: fmt.Sprintf("loc-%02d", i), Available: i + 1, At: time.Unix(1700000000, 0)})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		if got := variant(t, db, shop.ID, "v1"); got.Stock != want {
			t.Fatalf("stock after %d concurrent changes = %d, want %d", writers, got.Stock, want)
		}
		if jobs := stockJobs(t, db); jobs[v.ID] != writers {
			t.Fatalf("stock jobs = %v, want %d", jobs, writers)
		}
	})
}

// TestApplyStockChangeConcurrentSameLocation races changes to one location
// with different times: the newest wins whatever the arrival order.
func TestApplyStockChangeConcurrentSameLocation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, _ := soldOut(t, db)
		base := time.Unix(1700000000, 0)
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1",
					LocationID: "paris", Available: 100 + i, At: base.Add(time.Duration(i) * time.Second)})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got := variant(t, db, shop.ID, "v1"); got.Stock != 111 {
			t.Fatalf("stock = %d, want 111 from the newest change", got.Stock)
		}
	})
}
