package store_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// connectFeed connects a feed shop and takes its lease for "sync-1".
func connectFeed(t *testing.T, db *store.DB, clock *storetest.Clock) *stockbell.Shop {
	t.Helper()
	shop, _, err := db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: "Shop.Example.com", URL: "https://feeds.example.com/catalog.json"})
	must(t, err)
	ok, err := db.AcquireFeedLease(ctx, shop.ID, "sync-1", clock.Now().Add(time.Minute))
	must(t, err)
	if !ok {
		t.Fatal("a fresh feed's lease was not free")
	}
	return shop
}

func feedItem(id string, quantity int) stockbell.FeedItem {
	return stockbell.FeedItem{ID: id, Title: "Item " + id, Link: "https://shop.example.com/" + id,
		ImageURL: "https://shop.example.com/" + id + ".png", Price: "10.00", Quantity: quantity}
}

func TestConnectFeed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, feed, err := db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: "https://Shop.Example.com/", URL: "https://feeds.example.com/a.json",
			SealCredentials: func(shopID int64) ([]byte, error) { return fmt.Appendf(nil, "sealed for %d", shopID), nil }})
		must(t, err)
		if shop.Platform != stockbell.PlatformFeed || shop.Domain != "shop.example.com" || !shop.Active() {
			t.Fatalf("shop = %+v", shop)
		}
		if feed.Interval != stockbell.DefaultFeedInterval || string(feed.SealedCredentials) != fmt.Sprintf("sealed for %d", shop.ID) || !feed.NextSyncAt.Equal(clock.Now()) {
			t.Fatalf("feed = %+v", feed)
		}
		if jobs := jobArgs(t, db, stockbell.FeedSyncJob{}.Kind()); len(jobs) != 1 || jobs[0]["shop_id"] != float64(shop.ID) {
			t.Fatalf("feed sync jobs = %v", jobs)
		}
		byKey, err := db.FindShopByKey(ctx, "shop.example.com")
		must(t, err)
		if byKey.ID != shop.ID {
			t.Fatal("the storefront cannot find the feed shop by its domain")
		}
		// A sync stores validators; reconnecting the same URL keeps them, a new URL drops them.
		_, err = db.AcquireFeedLease(ctx, shop.ID, "sync-1", clock.Now().Add(time.Minute))
		must(t, err)
		must(t, db.FinishFeedSync(ctx, stockbell.FeedSyncEnd{ShopID: shop.ID, Owner: "sync-1", ETag: `"v1"`, LastModified: "Mon, 02 Jan 2006 15:04:05 GMT"}))
		_, feed, err = db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: "shop.example.com", URL: "https://feeds.example.com/a.json", Interval: time.Hour,
			KeepCredentials: true})
		must(t, err)
		if feed.ETag != `"v1"` || feed.Interval != time.Hour || string(feed.SealedCredentials) != fmt.Sprintf("sealed for %d", shop.ID) {
			t.Fatalf("reconnected feed keeping its credentials = %+v", feed)
		}
		_, feed, err = db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: "shop.example.com", URL: "https://feeds.example.com/a.json", Interval: time.Hour})
		must(t, err)
		if feed.SealedCredentials != nil {
			t.Fatalf("reconnected public feed = %+v", feed)
		}
		_, feed, err = db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: "shop.example.com", URL: "https://feeds.example.com/b.json"})
		must(t, err)
		if feed.ETag != "" || feed.LastModified != "" {
			t.Fatalf("a new URL kept the old validators: %+v", feed)
		}
	})
}

// TestFinishFeedSyncOfAURLTheFeedNoLongerHas: a sync that read the URL
// a feed had before it was connected again to another finishes (its
// report recorded) without storing that document's validators for the
// new URL or putting its next sync off: the new URL stays due at once,
// to be read in full.
func TestFinishFeedSyncOfAURLTheFeedNoLongerHas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := connectFeed(t, db, clock)
		clock.Add(20 * time.Second)
		_, _, err := db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: "shop.example.com", URL: "https://cdn.example.com/catalog.json"})
		must(t, err)
		clock.Add(20 * time.Second)
		must(t, db.FinishFeedSync(ctx, stockbell.FeedSyncEnd{ShopID: shop.ID, Owner: "sync-1", ETag: `"old"`,
			LastModified: "Mon, 02 Jan 2006 15:04:05 GMT", URL: "https://feeds.example.com/catalog.json", Report: stockbell.SyncReport{Items: 3}}))
		feed, err := db.FindFeed(ctx, shop.ID)
		must(t, err)
		if feed.ETag != "" || feed.LastModified != "" || feed.NextSyncAt.After(clock.Now()) {
			t.Fatalf("after a sync of the old URL the new one has validators %q %q, next sync at %s (now %s)",
				feed.ETag, feed.LastModified, feed.NextSyncAt, clock.Now())
		}
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Limit: 1})
		must(t, err)
		if len(log) != 1 || log[0].Kind != stockbell.EventSyncFinished {
			t.Fatalf("the old URL's sync was not recorded: %+v", log)
		}
	})
}

// TestConnectFeedAgainKeepsTheShopsName: a feed shop connected again
// without a name (shop add run again to change the interval or URL) keeps
// the name it was given, which its emails show as their sender, where it
// was renamed to its domain; a name given replaces it, and a new shop
// without one is named by its domain.
func TestConnectFeedAgainKeepsTheShopsName(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		connect := func(name string) *stockbell.Shop {
			t.Helper()
			shop, _, err := db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: "lamps.example.com", Name: name, URL: "https://lamps.example.com/feed.json"})
			must(t, err)
			return shop
		}
		if shop := connect(""); shop.Name != "lamps.example.com" {
			t.Fatalf("a new shop without a name is named %q, want its domain", shop.Name)
		}
		connect("Lamp Shop")
		if shop := connect(""); shop.Name != "Lamp Shop" {
			t.Fatalf("connected again without a name, the shop is named %q, want \"Lamp Shop\" kept", shop.Name)
		}
		if shop := connect("Lamps & Co"); shop.Name != "Lamps & Co" {
			t.Fatalf("connected again with a name, the shop is named %q", shop.Name)
		}
	})
}

func TestConnectFeedRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, c := range []struct {
			connect stockbell.FeedConnect
			field   string
		}{
			{stockbell.FeedConnect{URL: "https://f.example.com/a.json"}, "domain"},
			// A domain is a host name (with a port or not), as the snippet's
			// data-shop and a storefront's origin name it.
			{stockbell.FeedConnect{Domain: "bad domain", URL: "https://f.example.com/a.json"}, "domain"},
			{stockbell.FeedConnect{Domain: "s.example.com/shop", URL: "https://f.example.com/a.json"}, "domain"},
			{stockbell.FeedConnect{Domain: "s.example.com?x=1", URL: "https://f.example.com/a.json"}, "domain"},
			{stockbell.FeedConnect{Domain: "me@s.example.com", URL: "https://f.example.com/a.json"}, "domain"},
			{stockbell.FeedConnect{Domain: "s.example.com", URL: "ftp://f.example.com/a.json"}, "feed_url"},
			{stockbell.FeedConnect{Domain: "s.example.com", URL: "/a.json"}, "feed_url"},
			{stockbell.FeedConnect{Domain: "s.example.com", URL: "https://f.example.com/a.json", Interval: 30 * time.Second}, "interval"},
		} {
			_, _, err := db.ConnectFeed(ctx, c.connect)
			wantCode(t, err, stockbell.EINVALID, c.field)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM shops`); n != 0 {
			t.Fatalf("%d shops created by refused connects", n)
		}
	})
}

func TestFeedLease(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := connectFeed(t, db, clock)
		if ok, err := db.AcquireFeedLease(ctx, shop.ID, "sync-2", clock.Now().Add(time.Minute)); err != nil || ok {
			t.Fatalf("a second owner took a held lease: %v %v", ok, err)
		}
		if ok, err := db.AcquireFeedLease(ctx, shop.ID, "sync-1", clock.Now().Add(2*time.Minute)); err != nil || !ok {
			t.Fatalf("the owner could not extend its lease: %v %v", ok, err)
		}
		clock.Add(90 * time.Second)
		if ok, _ := db.AcquireFeedLease(ctx, shop.ID, "sync-2", clock.Now().Add(time.Minute)); ok {
			t.Fatal("the extended lease was taken before it expired")
		}
		clock.Add(time.Minute)
		if ok, err := db.AcquireFeedLease(ctx, shop.ID, "sync-2", clock.Now().Add(time.Minute)); err != nil || !ok {
			t.Fatalf("an expired lease could not be taken: %v %v", ok, err)
		}
		// The first owner lost it: its writes are refused and change nothing.
		_, err := db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", []stockbell.FeedItem{feedItem("A", 1)}))
		wantCode(t, err, stockbell.ECONFLICT, "")
		_, err = db.UnpublishFeedItems(ctx, shop.ID, "sync-1", []string{"A"})
		wantCode(t, err, stockbell.ECONFLICT, "")
		wantCode(t, db.FinishFeedSync(ctx, stockbell.FeedSyncEnd{ShopID: shop.ID, Owner: "sync-1"}), stockbell.ECONFLICT, "")
		must(t, db.ReleaseFeedLease(ctx, shop.ID, "sync-1")) // not its lease: nothing happens
		if ok, _ := db.AcquireFeedLease(ctx, shop.ID, "sync-3", clock.Now().Add(time.Minute)); ok {
			t.Fatal("releasing someone else's lease freed it")
		}
		must(t, db.ReleaseFeedLease(ctx, shop.ID, "sync-2"))
		if ok, _ := db.AcquireFeedLease(ctx, shop.ID, "sync-3", clock.Now().Add(time.Minute)); !ok {
			t.Fatal("a released lease could not be taken")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM variants`); n != 0 {
			t.Fatalf("%d variants written without the lease", n)
		}
		_, err = db.AcquireFeedLease(ctx, shop.ID+100, "sync-1", clock.Now())
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

func TestApplyFeedItems(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := connectFeed(t, db, clock)
		var first []stockbell.FeedItem
		for i := range 450 { // more than one multi-row statement
			first = append(first, feedItem(fmt.Sprintf("SKU-%03d", i), i%3))
		}
		res, err := db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", first))
		must(t, err)
		if res != (stockbell.FeedApplyResult{Created: 450}) {
			t.Fatalf("first apply = %+v", res)
		}
		if jobs := stockJobs(t, db); len(jobs) != 0 {
			t.Fatalf("new items queued stock jobs: %v", jobs)
		}
		v := variant(t, db, shop.ID, "SKU-002")
		if v.Stock != 2 || !v.Tracked || v.InventoryPolicy != stockbell.InventoryDeny || !v.Published || v.ProductTitle != "Item SKU-002" ||
			v.URL != "https://shop.example.com/SKU-002" || v.Price != "10.00" || v.ProductPlatformID != "SKU-002" {
			t.Fatalf("stored item = %+v", v)
		}
		levels, err := db.FindInventoryLevels(ctx, v.ShopID, v.ID)
		must(t, err)
		if len(levels) != 1 || levels[0].LocationID != stockbell.DefaultLocation || levels[0].Available != 2 {
			t.Fatalf("levels = %+v", levels)
		}

		// Someone waits for SKU-000 (sold out); no one for SKU-003.
		subscribe(t, db, shop.ID, variant(t, db, shop.ID, "SKU-000").ID, "ann@example.com", "")
		clock.Add(time.Minute)
		renamed := feedItem("SKU-001", 1)
		renamed.Title, renamed.Price = "Renamed", "12.50"
		res, err = db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", []stockbell.FeedItem{
			feedItem("SKU-000", 5), renamed, feedItem("SKU-002", 2), feedItem("SKU-003", 4), feedItem("NEW", 0)}))
		must(t, err)
		if res != (stockbell.FeedApplyResult{Created: 1, Updated: 3, StockChanged: 2}) {
			t.Fatalf("second apply = %+v", res)
		}
		restocked := variant(t, db, shop.ID, "SKU-000")
		if jobs := stockJobs(t, db); len(jobs) != 1 || jobs[restocked.ID] != 1 {
			t.Fatalf("stock jobs = %v, want one for SKU-000 (SKU-003's queue is empty)", jobs)
		}
		if got := variant(t, db, shop.ID, "SKU-003").Stock; got != 4 {
			t.Fatalf("SKU-003's stock = %d, want 4", got)
		}
		if restocked.Stock != 5 {
			t.Fatalf("restocked stock = %d", restocked.Stock)
		}
		if got := variant(t, db, shop.ID, "SKU-001"); got.Title != "Renamed" || got.ProductTitle != "Renamed" || got.Price != "12.50" {
			t.Fatalf("renamed item = %+v", got)
		}
		kind := stockbell.EventStockChanged
		events, _, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID, Kind: &kind})
		must(t, err)
		if len(events) != 2 {
			t.Fatalf("stock events = %+v, want SKU-000's and SKU-003's", events)
		}
		for _, e := range events {
			if *e.VariantID == restocked.ID {
				if d := detailOf(t, e); d["old_stock"] != 0.0 || d["new_stock"] != 5.0 || d["source"] != "feed" {
					t.Fatalf("stock event detail = %v", d)
				}
			}
		}
	})
}

func TestApplyFeedItemsRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := connectFeed(t, db, useClock(db))
		for _, items := range [][]stockbell.FeedItem{
			{feedItem("", 1)}, {feedItem("A", -1)}, {feedItem("A", 1), feedItem("A", 2)},
		} {
			_, err := db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", items))
			wantCode(t, err, stockbell.EINVALID, "items")
		}
	})
}

func TestUnpublishAndRepublishFeedItems(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := connectFeed(t, db, clock)
		_, err := db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", []stockbell.FeedItem{feedItem("A", 0), feedItem("B", 0), feedItem("C", 3)}))
		must(t, err)
		subscribe(t, db, shop.ID, variant(t, db, shop.ID, "A").ID, "ann@example.com", "")
		n, err := db.UnpublishFeedItems(ctx, shop.ID, "sync-1", []string{"A", "B", "missing"})
		must(t, err)
		if n != 2 {
			t.Fatalf("%d unpublished, want 2", n)
		}
		if n, _ := db.UnpublishFeedItems(ctx, shop.ID, "sync-1", []string{"A"}); n != 0 {
			t.Fatalf("unpublishing again changed %d", n)
		}
		a := variant(t, db, shop.ID, "A")
		if a.Published || a.Deleted || a.Notifiable() {
			t.Fatalf("unpublished item = %+v", a)
		}
		// The engine is woken for A, whom someone waits for, not for B.
		jobs := stockJobs(t, db)
		if len(jobs) != 1 || jobs[a.ID] != 1 {
			t.Fatalf("stock jobs after unpublishing = %v, want one for A", jobs)
		}
		// Listed again unchanged: republished, again with a stock job for A
		// and none for B.
		res, err := db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", []stockbell.FeedItem{feedItem("A", 0), feedItem("B", 0)}))
		must(t, err)
		b := variant(t, db, shop.ID, "B")
		if jobs := stockJobs(t, db); res.StockChanged != 2 || !variant(t, db, shop.ID, "A").Published || !b.Published || jobs[a.ID] != 2 || jobs[b.ID] != 0 {
			t.Fatalf("republish = %+v, jobs %v", res, jobs)
		}
	})
}

func TestFeedItemStatesAndDueFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := connectFeed(t, db, clock)
		_, err := db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", []stockbell.FeedItem{feedItem("A", 1), feedItem("B", 0)}))
		must(t, err)
		_, err = db.UnpublishFeedItems(ctx, shop.ID, "sync-1", []string{"B"})
		must(t, err)
		var states []stockbell.FeedItemState
		must(t, db.EachFeedItemState(ctx, shop.ID, func(s stockbell.FeedItemState) error {
			states = append(states, s)
			return nil
		}))
		sort.Slice(states, func(i, j int) bool { return states[i].ID < states[j].ID })
		want := []stockbell.FeedItemState{
			{ID: "A", Title: "Item A", Link: "https://shop.example.com/A", ImageURL: "https://shop.example.com/A.png", Price: "10.00", Quantity: 1, Published: true},
			{ID: "B", Title: "Item B", Link: "https://shop.example.com/B", ImageURL: "https://shop.example.com/B.png", Price: "10.00", Quantity: 0},
		}
		if fmt.Sprint(states) != fmt.Sprint(want) {
			t.Fatalf("states = %+v", states)
		}

		// Due now but leased: not listed. After the sync: due again one interval later.
		if due, _ := db.FindDueFeeds(ctx, clock.Now(), 10); len(due) != 0 {
			t.Fatalf("a leased feed is due: %+v", due)
		}
		report := stockbell.SyncReport{Items: 2, Changed: 2, Unpublished: 1, Rejections: []stockbell.SyncRejection{{Position: 3, Reason: "item has no id"}}}
		must(t, db.FinishFeedSync(ctx, stockbell.FeedSyncEnd{ShopID: shop.ID, Owner: "sync-1", ETag: `"e1"`, Report: report}))
		feed, err := db.FindFeed(ctx, shop.ID)
		must(t, err)
		if feed.ETag != `"e1"` || feed.LastError != "" || !feed.NextSyncAt.Equal(clock.Now().Add(stockbell.DefaultFeedInterval)) || feed.LastSyncAt == nil {
			t.Fatalf("feed after sync = %+v", feed)
		}
		log, total, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID})
		must(t, err)
		if total != 2 || log[0].Kind != stockbell.EventSyncFinished || detailOf(t, log[0])["source"] != "feed" {
			t.Fatalf("sync log = %+v", log)
		}
		if due, _ := db.FindDueFeeds(ctx, clock.Now().Add(14*time.Minute), 10); len(due) != 0 {
			t.Fatal("due before its interval")
		}
		due, err := db.FindDueFeeds(ctx, clock.Now().Add(15*time.Minute), 10)
		must(t, err)
		if len(due) != 1 || due[0].ShopID != shop.ID {
			t.Fatalf("due feeds = %+v", due)
		}
		// A failed sync keeps the validators and records why.
		_, err = db.AcquireFeedLease(ctx, shop.ID, "sync-2", clock.Now().Add(time.Minute))
		must(t, err)
		must(t, db.FinishFeedSync(ctx, stockbell.FeedSyncEnd{ShopID: shop.ID, Owner: "sync-2", Report: stockbell.SyncReport{Failure: "truncated"}}))
		feed, _ = db.FindFeed(ctx, shop.ID)
		if feed.ETag != `"e1"` || feed.LastError != "truncated" {
			t.Fatalf("feed after a failed sync = %+v", feed)
		}
		must(t, db.UninstallShop(ctx, shop.ID))
		if due, _ := db.FindDueFeeds(ctx, clock.Now().Add(time.Hour), 10); len(due) != 0 {
			t.Fatal("an uninstalled shop's feed is due")
		}
	})
}

func batch(shopID int64, owner string, items []stockbell.FeedItem) stockbell.FeedBatch {
	return stockbell.FeedBatch{ShopID: shopID, Owner: owner, Items: items}
}

// Feed levels are reads of the feed: written with origin read and a stock
// sequence number, at the document's own time; a read begun before a level
// written since does not overwrite it.
func TestFeedLevelsAreOrderedReads(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := connectFeed(t, db, clock)
		modified := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
		first, err := db.BeginStockRead(ctx)
		must(t, err)
		_, err = db.ApplyFeedItems(ctx, stockbell.FeedBatch{ShopID: shop.ID, Owner: "sync-1", Read: first, At: modified, Items: []stockbell.FeedItem{feedItem("A", 0)}})
		must(t, err)
		a := variant(t, db, shop.ID, "A")
		levels, err := db.FindInventoryLevels(ctx, a.ShopID, a.ID)
		must(t, err)
		if len(levels) != 1 || levels[0].Origin != stockbell.LevelRead || levels[0].Seq <= first.Seq ||
			levels[0].PlatformUpdatedAt == nil || !levels[0].PlatformUpdatedAt.Equal(modified) {
			t.Fatalf("level = %+v", levels)
		}
		stale, err := db.BeginStockRead(ctx) // begun before the next one, applied after it
		must(t, err)
		fresh, err := db.BeginStockRead(ctx)
		must(t, err)
		_, err = db.ApplyFeedItems(ctx, stockbell.FeedBatch{ShopID: shop.ID, Owner: "sync-1", Read: fresh, Items: []stockbell.FeedItem{feedItem("A", 4)}})
		must(t, err)
		res, err := db.ApplyFeedItems(ctx, stockbell.FeedBatch{ShopID: shop.ID, Owner: "sync-1", Read: stale, Items: []stockbell.FeedItem{feedItem("A", 1)}})
		must(t, err)
		if v := variant(t, db, shop.ID, "A"); v.Stock != 4 || res.StockChanged != 0 || res.Updated != 0 {
			t.Fatalf("a read older than the stored level changed the stock to %d (%+v)", v.Stock, res)
		}
		ignored := stockbell.EventStockChangeIgnored
		events, _, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID, Kind: &ignored})
		must(t, err)
		if len(events) != 1 || *events[0].VariantID != a.ID || detailOf(t, events[0])["available"] != 1.0 {
			t.Fatalf("ignored changes recorded = %+v, want the stale read's", events)
		}
	})
}

// TestFeedRestockRacingASubscriptionWakesTheEngine races a feed batch that
// restocks a sold-out item with a new subscriber's post, round after
// round: when both are done, the subscriber is queued on a variant in
// stock, and the restock engine must have a job to decide on it, queued by
// the batch (which queues one only when someone waits) or by the
// subscription, whichever committed last.
func TestFeedRestockRacingASubscriptionWakesTheEngine(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := connectFeed(t, db, clock)
		const rounds = 150
		var soldOut []stockbell.FeedItem
		for i := range rounds {
			soldOut = append(soldOut, feedItem(fmt.Sprintf("R%02d", i), 0))
		}
		_, err := db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", soldOut))
		must(t, err)
		for i := range rounds {
			v := variant(t, db, shop.ID, soldOut[i].ID)
			raceRestockWithSubscription(t, db, v, i, func() error {
				_, err := db.ApplyFeedItems(ctx, batch(shop.ID, "sync-1", []stockbell.FeedItem{feedItem(v.PlatformID, 3)}))
				return err
			})
		}
	})
}

// TestFeedSyncRepeatedFailureIsOneEntry: a feed sync that fails as the one
// before it did is counted on that entry, as every source's is, and a
// different failure or a success is an entry of its own.
func TestFeedSyncRepeatedFailureIsOneEntry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := connectFeed(t, db, clock)
		finish := func(report stockbell.SyncReport) {
			t.Helper()
			clock.Add(15 * time.Minute)
			owner := fmt.Sprint("sync-", clock.Now().Unix())
			_, err := db.AcquireFeedLease(ctx, shop.ID, owner, clock.Now().Add(time.Minute))
			must(t, err)
			report.StartedAt, report.FinishedAt = clock.Now(), clock.Now().Add(time.Second)
			must(t, db.FinishFeedSync(ctx, stockbell.FeedSyncEnd{ShopID: shop.ID, Owner: owner, Report: report}))
		}
		const gone = "the feed answered 404 Not Found"
		finish(stockbell.SyncReport{Failure: gone})
		first := clock.Now()
		finish(stockbell.SyncReport{Failure: gone})
		finish(stockbell.SyncReport{Failure: gone})
		log := syncLog(t, db, shop.ID)
		if len(log) != 1 {
			t.Fatalf("sync log = %s, want one entry for the three failures", entries(t, log))
		}
		if d := detailOf(t, log[0]); d["failures"] != 3.0 || d["first_failed_at"] != first.Format(time.RFC3339) || !log[0].CreatedAt.Equal(clock.Now()) {
			t.Fatalf("repeated feed failure = %v at %v", d, log[0].CreatedAt)
		}
		finish(stockbell.SyncReport{Failure: "the feed answered 503 Service Unavailable"})
		finish(stockbell.SyncReport{Items: 1})
		finish(stockbell.SyncReport{Failure: gone})
		if log := syncLog(t, db, shop.ID); len(log) != 4 {
			t.Fatalf("sync log = %s, want each change of outcome to be an entry of its own", entries(t, log))
		}
		if feed, _ := db.FindFeed(ctx, shop.ID); feed.LastError != gone || !feed.NextSyncAt.Equal(clock.Now().Add(stockbell.DefaultFeedInterval)) {
			t.Fatalf("the feed after a repeated failure = %+v", feed)
		}
	})
}
