package store_test

import (
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestApplyFeedItemsInBulk applies one batch changing stored items in
// every way at once, more of each than one SQLite statement takes: each
// kind of change lands on its own items only, and only stock or
// publication changes are events and jobs.
func TestApplyFeedItemsInBulk(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := connectFeed(t, db, clock)
		const n = 250 // of each kind below
		var items []stockbell.FeedItem
		for i := range 5 * n {
			items = append(items, feedItem(fmt.Sprintf("SKU-%04d", i), 1))
		}
		_, err := db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", items))
		must(t, err)
		id := func(i int) int64 { return variant(t, db, shop.ID, items[i].ID).ID }
		// Items 4n… were unpublished by an earlier sync; the item 3n… are
		// no longer tracked; item 0 has a level at a second location.
		_, err = db.UnpublishFeedItems(ctx, shop.ID, "sync-1", ids(items[4*n:]))
		must(t, err)
		_, err = db.DB.Exec(db.DB.Rebind(`UPDATE variants SET tracked = ? WHERE shop_id = ? AND platform_id >= ? AND platform_id < ?`),
			false, shop.ID, items[3*n].ID, items[4*n].ID)
		must(t, err)
		_, err = db.DB.Exec(db.DB.Rebind(`INSERT INTO inventory_levels (variant_id, location_id, available, origin, seq, updated_at)
			VALUES (?, 'warehouse-2', 7, 'read', 1, ?)`), id(0), clock.Now())
		must(t, err)
		_, err = db.DB.Exec(db.DB.Rebind(`UPDATE variants SET stock = 8 WHERE id = ?`), id(0))
		must(t, err)
		// Someone waits for every fifth item: only those changes wake the
		// restock engine.
		for i := 0; i < 5*n; i += 5 {
			subscribe(t, db, shop.ID, id(i), fmt.Sprintf("shopper%d@example.com", i), "")
		}
		before := stockJobs(t, db)
		clock.Add(time.Minute)

		// 0…n restocked, n…2n renamed, 2n…3n unchanged, 3n…4n untracked, 4n… listed again.
		next := append([]stockbell.FeedItem(nil), items...)
		for i := range n {
			next[i].Quantity = 3
			next[n+i].Title = "Renamed"
		}
		read, err := db.BeginStockRead(ctx)
		must(t, err)
		res, err := db.ApplyFeedItems(ctx, stockbell.FeedBatch{ShopID: shop.ID, Owner: "sync-1", Read: read, Items: next})
		must(t, err)
		if want := (stockbell.FeedApplyResult{Updated: 4 * n, StockChanged: 3 * n}); res != want {
			t.Fatalf("apply = %+v, want %+v", res, want)
		}
		jobs := stockJobs(t, db)
		for i := range 5 * n {
			got, v := jobs[id(i)]-before[id(i)], variant(t, db, shop.ID, items[i].ID)
			stock, title, wantJob := 1, items[i].Title, (i < n || i >= 3*n) && i%5 == 0
			switch {
			case i < n:
				stock = 3
			case i < 2*n:
				title = "Renamed"
			}
			if got != map[bool]int{true: 1}[wantJob] || v.Stock != stock || v.Title != title || !v.Tracked || !v.Published {
				t.Fatalf("item %d: %d jobs, %+v", i, got, v)
			}
		}
		levels, err := db.FindInventoryLevels(ctx, shop.ID, id(0))
		must(t, err)
		if len(levels) != 1 || levels[0].LocationID != stockbell.DefaultLocation || levels[0].Available != 3 || levels[0].Seq <= read.Seq {
			t.Fatalf("item 0's levels = %+v: the read should disconnect the second location", levels)
		}
		kind := stockbell.EventStockChanged
		events, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID, Kind: &kind, Limit: 1000})
		must(t, err)
		if total != 3*n {
			t.Fatalf("%d stock events, want %d", total, 3*n)
		}
		for _, e := range events {
			if *e.VariantID == id(0) {
				if d := detailOf(t, e); d["old_stock"] != 8.0 || d["new_stock"] != 3.0 || d["republished"] != false {
					t.Fatalf("item 0's event = %v", d)
				}
			}
		}
	})
}

func ids(items []stockbell.FeedItem) []string {
	out := make([]string, len(items))
	for i, item := range items {
		out[i] = item.ID
	}
	return out
}
