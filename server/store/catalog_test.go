package store_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// shirt is a product with two variants: S stocked at two locations, M
// untracked without levels.
func shirt(shopID int64, at time.Time) stockbell.ProductUpsert {
	return stockbell.ProductUpsert{ShopID: shopID, PlatformID: "9007199254740993", Title: "Shirt", Handle: "shirt",
		URL: "https://shop.example/products/shirt", ImageURL: "https://cdn.example/shirt.jpg", Published: true, UpdatedAt: at,
		Variants: []stockbell.VariantUpsert{
			{PlatformID: "9007199254740995", InventoryItemID: "inv-s", Title: "S", SKU: "SH-S", Price: "19.90", Tracked: true,
				Levels: []stockbell.LocationLevel{{LocationID: "paris", Available: 2}, {LocationID: "lyon", Available: 3}}},
			{PlatformID: "9007199254740997", Title: "M", Price: "19.90", InventoryPolicy: stockbell.InventoryContinue},
		}}
}

// subscribedShirt installs a Shopify shop, upserts its shirt (with no
// time) and queues ann@example.com for S: the shop, the shirt's upsert,
// and its variants S and M as stored.
func subscribedShirt(t *testing.T, db *store.DB) (shop *stockbell.Shop, up stockbell.ProductUpsert, s, m *stockbell.VariantWithProduct) {
	t.Helper()
	shop = install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
	up = shirt(shop.ID, time.Time{})
	_, err := db.UpsertProduct(ctx, up)
	must(t, err)
	s, m = variant(t, db, shop.ID, up.Variants[0].PlatformID), variant(t, db, shop.ID, up.Variants[1].PlatformID)
	subscribe(t, db, shop.ID, s.ID, "ann@example.com", "")
	return shop, up, s, m
}

func TestUpsertProductCreates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		p, err := db.UpsertProduct(ctx, shirt(shop.ID, clock.Now()))
		must(t, err)
		if p.ID == 0 || p.PlatformID != "9007199254740993" || p.Title != "Shirt" || !p.Published || p.Deleted {
			t.Fatalf("product = %+v", p)
		}
		s := variant(t, db, shop.ID, "9007199254740995")
		if s.Stock != 5 || s.ProductID != p.ID || s.ProductTitle != "Shirt" || s.ProductPlatformID != p.PlatformID ||
			s.ProductURL != p.URL || !s.Published || s.InventoryPolicy != stockbell.InventoryDeny || !s.Tracked || s.SKU != "SH-S" {
			t.Fatalf("variant S = %+v", s)
		}
		m := variant(t, db, shop.ID, "9007199254740997")
		if m.Stock != 0 || m.Tracked || m.InventoryPolicy != stockbell.InventoryContinue || !m.Purchasable() {
			t.Fatalf("variant M = %+v", m)
		}
		byID, err := db.FindVariantByID(ctx, s.ShopID, s.ID)
		must(t, err)
		if byID.PlatformID != s.PlatformID || byID.Stock != 5 {
			t.Fatalf("FindVariantByID = %+v", byID)
		}
		levels, err := db.FindInventoryLevels(ctx, s.ShopID, s.ID)
		must(t, err)
		if len(levels) != 2 || levels[0].LocationID != "lyon" || levels[0].Available != 3 || levels[1].LocationID != "paris" ||
			!levels[1].UpdatedAt.Equal(clock.Now()) {
			t.Fatalf("levels = %+v", levels)
		}
		if jobs := stockJobs(t, db); len(jobs) != 0 {
			t.Fatalf("new variants got stock jobs: %v", jobs)
		}
		_, err = db.FindVariant(ctx, shop.ID, "nope")
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.FindVariantByID(ctx, shop.ID, 9999)
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

// TestUpsertProductLeavesTheCallersVariantsAlone: the defaults an upsert
// fills in (the inventory policy, the location of a level without one)
// are stored, not written into the caller's variants.
func TestUpsertProductLeavesTheCallersVariantsAlone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		up := stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Published: true, Variants: []stockbell.VariantUpsert{
			{PlatformID: "v1", Tracked: true, Levels: []stockbell.LocationLevel{{Available: 2}}}}}
		_, err := db.UpsertProduct(ctx, up)
		must(t, err)
		if v := up.Variants[0]; v.InventoryPolicy != "" || v.Levels[0].LocationID != "" {
			t.Fatalf("the caller's variant was changed to %+v", v)
		}
		if v := variant(t, db, shop.ID, "v1"); v.InventoryPolicy != stockbell.InventoryDeny || v.Stock != 2 {
			t.Fatalf("stored variant = %+v", v)
		}
		levels, err := db.FindInventoryLevels(ctx, shop.ID, variant(t, db, shop.ID, "v1").ID)
		must(t, err)
		if len(levels) != 1 || levels[0].LocationID != stockbell.DefaultLocation {
			t.Fatalf("stored levels = %+v", levels)
		}
	})
}

func TestUpsertProductJobsOnPurchasabilityChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		up := shirt(shop.ID, clock.Now())
		_, err := db.UpsertProduct(ctx, up)
		must(t, err)
		s, m := variant(t, db, shop.ID, up.Variants[0].PlatformID), variant(t, db, shop.ID, up.Variants[1].PlatformID)

		// again stores up as the platform's next version of the product.
		again := func() {
			t.Helper()
			up.UpdatedAt = up.UpdatedAt.Add(time.Minute)
			_, err := db.UpsertProduct(ctx, up)
			must(t, err)
		}
		up.Title, up.Variants[0].Price = "Shirt (new)", "17.00"
		again()
		if jobs := stockJobs(t, db); len(jobs) != 0 {
			t.Fatalf("a title and price change inserted stock jobs: %v", jobs)
		}

		// No one waits for S: its stock changes without waking the engine,
		// whose decision would be to do nothing.
		up.Variants[0].Levels = []stockbell.LocationLevel{{LocationID: "paris", Available: 1}}
		again()
		if got := variant(t, db, shop.ID, s.PlatformID); got.Stock != 1 {
			t.Fatalf("stock after replacing levels = %d, want 1 (lyon dropped)", got.Stock)
		}
		if jobs := stockJobs(t, db); len(jobs) != 0 {
			t.Fatalf("jobs after a stock change with no one queued = %v, want none", jobs)
		}

		// Shoppers queue for both (each subscription on a purchasable
		// variant queues its own job); from then on each change wakes it.
		subscribe(t, db, shop.ID, s.ID, "ann@example.com", "")
		subscribe(t, db, shop.ID, m.ID, "bob@example.com", "")
		before := stockJobs(t, db)
		up.Variants[0].Levels = []stockbell.LocationLevel{{LocationID: "paris", Available: 0}}
		again()
		if got := variant(t, db, shop.ID, s.PlatformID); got.Stock != 0 {
			t.Fatalf("stock after selling out = %d, want 0", got.Stock)
		}
		if jobs := stockJobs(t, db); jobs[s.ID] != before[s.ID]+1 || jobs[m.ID] != before[m.ID] {
			t.Fatalf("jobs after a stock change = %v (before %v), want one more for S", jobs, before)
		}

		up.Variants[1].InventoryPolicy = stockbell.InventoryDeny
		up.Variants[1].Tracked = true
		again()
		if jobs := stockJobs(t, db); jobs[s.ID] != before[s.ID]+1 || jobs[m.ID] != before[m.ID]+1 {
			t.Fatalf("jobs after a policy change = %v (before %v), want one more for M", jobs, before)
		}

		// Unpublishing touches every variant, listed or not.
		up.Published, up.Variants = false, nil
		again()
		if jobs := stockJobs(t, db); jobs[s.ID] != before[s.ID]+2 || jobs[m.ID] != before[m.ID]+2 {
			t.Fatalf("jobs after unpublishing = %v (before %v), want one more each", jobs, before)
		}
		if got := variant(t, db, shop.ID, s.PlatformID); got.Published || got.Notifiable() {
			t.Fatalf("variant of an unpublished product = %+v", got)
		}
	})
}

// TestUpsertProductIgnoresOlderUpsert: an upsert read before the stored one
// was written, and older by the platform's times, changes neither fields
// nor levels, and says why for each level it left.
func TestUpsertProductIgnoresOlderUpsert(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		olderRead, err := db.BeginStockRead(ctx)
		must(t, err)
		newer := shirt(shop.ID, clock.Now())
		for i := range newer.Variants[0].Levels {
			newer.Variants[0].Levels[i].UpdatedAt = clock.Now()
		}
		_, err = db.UpsertProduct(ctx, newer)
		must(t, err)
		older := shirt(shop.ID, clock.Now().Add(-time.Second))
		older.Title, older.Read, older.Source = "Old title", &olderRead, "test:sync"
		older.Variants[0].Levels = []stockbell.LocationLevel{{LocationID: "paris", Available: 0, UpdatedAt: clock.Now().Add(-time.Second)}}
		p, err := db.UpsertProduct(ctx, older)
		must(t, err)
		if p.Title != "Shirt" {
			t.Fatalf("an older upsert overwrote the title: %q", p.Title)
		}
		v := variant(t, db, shop.ID, newer.Variants[0].PlatformID)
		if v.Stock != 5 {
			t.Fatalf("an older upsert changed stock to %d", v.Stock)
		}
		kind := stockbell.EventStockChangeIgnored
		events, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &v.ShopID, VariantID: &v.ID, Kind: &kind})
		must(t, err)
		if total != 2 || !strings.Contains(events[0].Detail, "in flight") || !strings.Contains(events[0].Detail, "test:sync") {
			t.Fatalf("%d ignored-change events for the older read's paris and lyon, want 2: %v", total, events)
		}
		// Without levels, an upsert leaves stock alone.
		same := shirt(shop.ID, clock.Now())
		same.Variants[0].Levels = nil
		_, err = db.UpsertProduct(ctx, same)
		must(t, err)
		if v := variant(t, db, shop.ID, newer.Variants[0].PlatformID); v.Stock != 5 {
			t.Fatalf("an upsert without levels changed stock to %d", v.Stock)
		}
		if jobs := stockJobs(t, db); len(jobs) != 0 {
			t.Fatalf("ignored upserts inserted jobs: %v", jobs)
		}
	})
}

func TestUpsertProductInvalid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		cases := map[string]func(*stockbell.ProductUpsert){
			"platform_id":                  func(u *stockbell.ProductUpsert) { u.PlatformID = "" },
			"variants[1].platform_id":      func(u *stockbell.ProductUpsert) { u.Variants[1].PlatformID = "" },
			"variants[0].inventory_policy": func(u *stockbell.ProductUpsert) { u.Variants[0].InventoryPolicy = "sometimes" },
			"variants[0].levels": func(u *stockbell.ProductUpsert) {
				u.Variants[0].Levels = append(u.Variants[0].Levels, stockbell.LocationLevel{LocationID: "paris"})
			},
		}
		for field, breakIt := range cases {
			up := shirt(shop.ID, time.Time{})
			breakIt(&up)
			_, err := db.UpsertProduct(ctx, up)
			wantCode(t, err, stockbell.EINVALID, field)
		}
		_, err := db.UpsertProduct(ctx, shirt(9999, time.Time{}))
		wantCode(t, err, stockbell.ENOTFOUND, "")
		if n := count(t, db, `SELECT COUNT(*) FROM products`) + count(t, db, `SELECT COUNT(*) FROM variants`); n != 0 {
			t.Fatalf("%d rows stored by invalid upserts", n)
		}
	})
}

func TestDeleteProduct(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, up, s, m := subscribedShirt(t, db)
		before := stockJobs(t, db)
		must(t, db.DeleteProduct(ctx, shop.ID, up.PlatformID))
		must(t, db.DeleteProduct(ctx, shop.ID, up.PlatformID))
		if s = variant(t, db, shop.ID, s.PlatformID); !s.Deleted || s.Notifiable() {
			t.Fatalf("variant of a deleted product = %+v", s)
		}
		// The engine is woken once, for S, whom someone waits for: not for
		// M, nor by deleting again.
		if jobs := stockJobs(t, db); jobs[s.ID] != before[s.ID]+1 || jobs[m.ID] != 0 {
			t.Fatalf("jobs after deleting twice = %v (before %v), want one more for S only", jobs, before)
		}
		wantCode(t, db.DeleteProduct(ctx, shop.ID, "unknown"), stockbell.ENOTFOUND, "")

		// The platform sending the product again brings it back, and wakes
		// the engine for S, not for M.
		_, err := db.UpsertProduct(ctx, up)
		must(t, err)
		if v := variant(t, db, shop.ID, s.PlatformID); v.Deleted {
			t.Fatal("an upsert did not undelete the product")
		}
		if jobs := stockJobs(t, db); jobs[s.ID] != before[s.ID]+2 || jobs[m.ID] != 0 {
			t.Fatalf("jobs after undeleting = %v (before %v), want one more for S only", jobs, before)
		}
	})
}

// TestDeleteVanishedProduct: a product a complete sync did not list is
// marked deleted when the latest read that found it began before the
// sync did; one found since (an upsert from a read begun after the sync,
// or from no read, written after it began) is kept. Stockbell's stock
// sequence orders them, never a clock.
func TestDeleteVanishedProduct(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		upsert := func(id string, read *stockbell.StockRead) {
			t.Helper()
			_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: id, Title: id, Published: true, Read: read,
				Variants: []stockbell.VariantUpsert{{PlatformID: id + "-v", Tracked: true}}})
			must(t, err)
		}
		begin := func() stockbell.StockRead {
			t.Helper()
			r, err := db.BeginStockRead(ctx)
			must(t, err)
			return r
		}
		before := begin()
		upsert("old", nil)
		upsert("read-before", &before) // read before the sync, written during it
		sync := begin()
		upsert("webhook", nil)
		after := begin()
		upsert("read-after", &after)

		for id, want := range map[string]bool{"old": true, "read-before": true, "webhook": false, "read-after": false} {
			deleted, err := db.DeleteVanishedProduct(ctx, shop.ID, id, sync)
			must(t, err)
			if deleted != want || variant(t, db, shop.ID, id+"-v").Deleted != want {
				t.Errorf("%s: deleted %t, want %t", id, deleted, want)
			}
		}
		if deleted, err := db.DeleteVanishedProduct(ctx, shop.ID, "old", sync); err != nil || deleted {
			t.Errorf("deleting again: %t, %v", deleted, err)
		}
		_, err := db.DeleteVanishedProduct(ctx, shop.ID, "unknown", sync)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.DeleteVanishedProduct(ctx, shop.ID, "webhook", stockbell.StockRead{})
		wantCode(t, err, stockbell.EINVALID, "sync")
	})
}

func TestDeleteProductRollsBackWithItsJobs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		up := shirt(shop.ID, time.Time{})
		_, err := db.UpsertProduct(ctx, up)
		must(t, err)
		// Someone waits for both variants, so the deletion queues two jobs.
		for i, v := range up.Variants {
			subscribe(t, db, shop.ID, variant(t, db, shop.ID, v.PlatformID).ID, fmt.Sprintf("shopper%d@example.com", i), "")
		}
		before := stockJobs(t, db)
		real := db.Queue
		db.Queue = &failingQueue{inner: real, n: 2}
		if err := db.DeleteProduct(ctx, shop.ID, up.PlatformID); err != errQueueFailed {
			t.Fatalf("DeleteProduct with a failing queue = %v", err)
		}
		db.Queue = real
		if jobs := stockJobs(t, db); !maps.Equal(jobs, before) {
			t.Fatalf("jobs of a rolled-back transaction remain: %v (before %v)", jobs, before)
		}
		if v := variant(t, db, shop.ID, up.Variants[0].PlatformID); v.Deleted {
			t.Fatal("the product stayed deleted after the rollback")
		}
	})
}

func TestFindVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		p1 := product(t, db, shop.ID, "p1", map[string]int{"a": 0, "b": 0, "c": 1})
		product(t, db, shop.ID, "p2", map[string]int{"d": 0})
		product(t, db, other.ID, "p1", map[string]int{"a": 0})
		a, b := variant(t, db, shop.ID, "a"), variant(t, db, shop.ID, "b")
		insertSubscription(t, db, shop.ID, a.ID, "ann@example.com", "", stockbell.SubscriptionQueued)
		insertSubscription(t, db, shop.ID, b.ID, "bob@example.com", "", stockbell.SubscriptionNotified)

		check := func(name string, filter stockbell.VariantFilter, wantTotal int, want ...string) {
			t.Helper()
			got, total, err := db.FindVariants(ctx, filter)
			must(t, err)
			ids := []string{}
			for _, v := range got {
				ids = append(ids, v.PlatformID)
			}
			if total != wantTotal || len(ids) != len(want) {
				t.Fatalf("%s: %v of %d, want %v of %d", name, ids, total, want, wantTotal)
			}
			for i := range want {
				if ids[i] != want[i] {
					t.Fatalf("%s: %v, want %v", name, ids, want)
				}
			}
		}
		check("shop", stockbell.VariantFilter{ShopID: &shop.ID}, 4, "a", "b", "c", "d")
		check("product", stockbell.VariantFilter{ShopID: &shop.ID, ProductID: &p1.ID}, 3, "a", "b", "c")
		check("platform id", stockbell.VariantFilter{ShopID: &other.ID, PlatformID: ptr("a")}, 1, "a")
		check("product platform id", stockbell.VariantFilter{ShopID: &shop.ID, ProductPlatformID: ptr("p1")}, 3, "a", "b", "c")
		check("another shop's product platform id", stockbell.VariantFilter{ShopID: &other.ID, ProductPlatformID: ptr("p1")}, 1, "a")
		check("unknown product platform id", stockbell.VariantFilter{ShopID: &shop.ID, ProductPlatformID: ptr("p3")}, 0)
		_, _, err := db.FindVariants(ctx, stockbell.VariantFilter{PlatformID: ptr("a")})
		wantCode(t, err, stockbell.EINVALID, "shop_id")
		check("queued", stockbell.VariantFilter{ShopID: &shop.ID, HasQueuedSubscribers: ptr(true)}, 1, "a")
		check("not queued", stockbell.VariantFilter{ShopID: &shop.ID, HasQueuedSubscribers: ptr(false)}, 3, "b", "c", "d")
		check("page", stockbell.VariantFilter{ShopID: &shop.ID, Offset: 1, Limit: 2}, 4, "b", "c")
	})
}

// heldBy asks, through a store method such as HoldsProduct, whether a
// shop holds an id.
func heldBy(t *testing.T, holds func(ctx context.Context, shopID int64, id string) (bool, error)) func(shopID int64, id string) bool {
	return func(shopID int64, id string) bool {
		t.Helper()
		held, err := holds(ctx, shopID, id)
		must(t, err)
		return held
	}
}

// TestHoldsItem: a shop holds an inventory item that backs a variant it
// has stored, its product deleted or not; another shop's variant of the
// same item is not held, nor is an item no shop stored, nor the empty id
// of variants without one.
func TestHoldsItem(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, up, _, m := subscribedShirt(t, db)
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		holds := heldBy(t, db.HoldsItem)
		item := up.Variants[0].InventoryItemID
		if !holds(shop.ID, item) {
			t.Fatal("the shop does not hold its own variant's item")
		}
		if holds(other.ID, item) {
			t.Fatal("another shop holds the shop's item")
		}
		if holds(shop.ID, "unknown") {
			t.Fatal("the shop holds an item it never stored")
		}
		if m.InventoryItemID != "" || holds(shop.ID, "") {
			t.Fatalf("the empty item id is held (variant M's item %q)", m.InventoryItemID)
		}
		must(t, db.DeleteProduct(ctx, shop.ID, up.PlatformID))
		if !holds(shop.ID, item) {
			t.Fatal("the shop no longer holds the item of its deleted product's variant")
		}
	})
}

// TestHoldsProduct: a shop holds a product it has stored, deleted or not;
// another shop's product of the same platform id is not held, nor is an
// id no shop stored.
func TestHoldsProduct(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, up, _, _ := subscribedShirt(t, db)
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		holds := heldBy(t, db.HoldsProduct)
		if !holds(shop.ID, up.PlatformID) {
			t.Fatal("the shop does not hold its own product")
		}
		if holds(other.ID, up.PlatformID) {
			t.Fatal("another shop holds the shop's product")
		}
		if holds(shop.ID, "unknown") {
			t.Fatal("the shop holds a product it never stored")
		}
		must(t, db.DeleteProduct(ctx, shop.ID, up.PlatformID))
		if !holds(shop.ID, up.PlatformID) {
			t.Fatal("the shop no longer holds its deleted product")
		}
	})
}
