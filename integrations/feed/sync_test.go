package feed_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// env is the feed integration on a real database, reading a loopback host.
type env struct {
	t    *testing.T
	db   *store.DB
	host *feedtest.Server
	in   *feed.Integration
}

func newEnv(t *testing.T, db *store.DB) *env {
	host := feedtest.NewServer()
	t.Cleanup(host.Close)
	sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("k"), 32))
	return &env{t: t, db: db, host: host, in: newIntegration(db, sealer, feed.NewFetcher(feed.FetchConfig{AllowPrivate: true}))}
}

func newIntegration(db *store.DB, sealer stockbell.TokenSealer, fetcher *feed.Fetcher) *feed.Integration {
	return &feed.Integration{Feeds: db, Shops: db, Catalog: db, Fetcher: fetcher, Sealer: sealer, Jobs: db.Queue.(stockbell.JobInserter),
		Clock: stockbell.SystemClock{}, Logger: slog.New(slog.DiscardHandler), BatchSize: 100}
}

// connect connects shop.example.com to the host's path.
func (e *env) connect(path string, creds *feed.Credentials) *stockbell.Shop {
	e.t.Helper()
	shop, _, err := e.in.Connect(ctx, stockbell.FeedSettings{Domain: "shop.example.com", URL: e.host.URL(path), Credentials: creds})
	if err != nil {
		e.t.Fatal(err)
	}
	return shop
}

func (e *env) sync(shop *stockbell.Shop) *stockbell.SyncReport {
	e.t.Helper()
	report, err := e.in.Sync(ctx, shop.ID, feed.SyncOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return report
}

func (e *env) variant(shop *stockbell.Shop, id string) *stockbell.VariantWithProduct {
	e.t.Helper()
	v, err := e.db.FindVariant(ctx, shop.ID, id)
	if err != nil {
		e.t.Fatalf("variant %s: %v", id, err)
	}
	return v
}

// stockJobs counts the queued variant_stock_changed jobs.
func (e *env) stockJobs() int {
	var n int
	e.db.DB.Get(&n, `SELECT COUNT(*) FROM river_job WHERE kind = 'variant_stock_changed'`)
	return n
}

func (e *env) lastLog(shop *stockbell.Shop) (stockbell.EventKind, map[string]any) {
	e.t.Helper()
	log, _, err := e.db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Limit: 1})
	if err != nil || len(log) == 0 {
		e.t.Fatalf("sync log: %v", err)
	}
	var d map[string]any
	json.Unmarshal([]byte(log[0].Detail), &d)
	return log[0].Kind, d
}

func TestSyncAppliesOnlyWhatChanged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, format := range []string{"json", "xml"} {
			e := newEnv(t, db)
			path := "/catalog." + format
			items := feedtest.Items(250, 0)
			contentType := map[string]string{"json": "application/json", "xml": "application/xml"}[format]
			e.host.Set(path, feedtest.Feed{Body: feedtest.Document(format, items), ContentType: contentType})
			shop := e.connect(path, nil)
			if r := e.sync(shop); r.Items != 250 || r.Changed != 250 || r.Failed() || r.NotModified {
				t.Fatalf("%s first sync = %+v", format, r)
			}
			jobsBefore := e.stockJobs()
			if v := e.variant(shop, "SKU-000007"); v.Stock != 0 || !v.SoldOut() || v.ProductTitle != "Item SKU-000007" || v.Price != "11.75" {
				t.Fatalf("%s stored item = %+v", format, v)
			}

			// Unchanged: the host answers 304 and nothing is read.
			if r := e.sync(shop); !r.NotModified || r.Changed != 0 {
				t.Fatalf("%s unchanged sync = %+v", format, r)
			}
			if e.host.NotModified[path] != 1 {
				t.Fatalf("%s: %d answers 304", format, e.host.NotModified[path])
			}

			// One restock, one rename, two items gone: one stock job for the
			// restock and one for the first item gone (someone waits for
			// each); a second restock and the second item gone, of items no
			// one waits for, queue none.
			for _, waited := range []string{"SKU-000007", "SKU-000009"} {
				if _, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: e.variant(shop, waited).ID,
					Email: "ann@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"}); err != nil {
					t.Fatal(err)
				}
			}
			jobsBefore = e.stockJobs()
			items[7].InventoryQuantity = 4
			items[10].InventoryQuantity = items[10].InventoryQuantity + 5
			items[8].Title = "Renamed"
			gone := items[9]
			items = slices.Delete(slices.Delete(items, 11, 12), 9, 10)
			e.host.Set(path, feedtest.Feed{Body: feedtest.Document(format, items), ContentType: contentType, ModifiedAt: time.Now().Add(time.Minute)})
			r := e.sync(shop)
			if r.Items != 248 || r.Changed != 3 || r.Unpublished != 2 || r.NotModified {
				t.Fatalf("%s resync = %+v", format, r)
			}
			if got := e.stockJobs() - jobsBefore; got != 2 {
				t.Fatalf("%s: %d stock jobs, want 2 (the restock and the vanished item waited for)", format, got)
			}
			if v := e.variant(shop, "SKU-000007"); v.Stock != 4 || v.SoldOut() {
				t.Fatalf("%s restocked item = %+v", format, v)
			}
			if v := e.variant(shop, gone.ID); v.Published || v.Deleted {
				t.Fatalf("%s vanished item = %+v, want unpublished and kept", format, v)
			}
			kind, d := e.lastLog(shop)
			if kind != stockbell.EventSyncFinished || d["items"] != 248.0 || d["changed"] != 3.0 || d["unpublished"] != 2.0 {
				t.Fatalf("%s sync log = %s %v", format, kind, d)
			}
			must(t, db.UninstallShop(ctx, shop.ID))
			must(t, db.DeleteShop(ctx, shop.ID))
		}
	})
}

// Without validators the document is read in full, and an unchanged one
// still writes nothing.
func TestSyncWithoutValidatorsWritesNothingUnchanged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(120, 1)), NoValidators: true})
		shop := e.connect("/f.json", nil)
		e.sync(shop)
		jobs := e.stockJobs()
		var updated time.Time
		must(t, db.DB.Get(&updated, db.DB.Rebind(`SELECT updated_at FROM variants WHERE shop_id = ? ORDER BY updated_at DESC LIMIT 1`), shop.ID))
		r := e.sync(shop)
		if r.NotModified || r.Items != 120 || r.Changed != 0 || e.stockJobs() != jobs {
			t.Fatalf("unchanged full sync = %+v", r)
		}
		var after time.Time
		must(t, db.DB.Get(&after, db.DB.Rebind(`SELECT updated_at FROM variants WHERE shop_id = ? ORDER BY updated_at DESC LIMIT 1`), shop.ID))
		if !after.Equal(updated) {
			t.Fatal("an unchanged sync wrote variants")
		}
	})
}

func TestSyncPrivateFeedWithSealedCredentials(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.host.Set("/basic.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(3, 1)), Username: "merchant", Password: "pa55-w0rd"})
		shop := e.connect("/basic.json", &feed.Credentials{Username: "merchant", Password: "pa55-w0rd"})
		stored, err := db.FindFeed(ctx, shop.ID)
		must(t, err)
		if len(stored.SealedCredentials) == 0 || bytes.Contains(stored.SealedCredentials, []byte("pa55-w0rd")) {
			t.Fatalf("credentials stored as %q", stored.SealedCredentials)
		}
		if r := e.sync(shop); r.Failed() || r.Changed != 3 {
			t.Fatalf("private feed sync = %+v", r)
		}
		e.host.Set("/header.xml", feedtest.Feed{Body: feedtest.Document("xml", feedtest.Items(2, 1)), ContentType: "text/xml", Header: "Authorization", Value: "Bearer t0ken"})
		other, _, err := e.in.Connect(ctx, stockbell.FeedSettings{Domain: "other.example.com", URL: e.host.URL("/header.xml"),
			Credentials: &feed.Credentials{Header: "Authorization", Value: "Bearer t0ken"}})
		must(t, err)
		if r := e.sync(other); r.Failed() || r.Changed != 2 {
			t.Fatalf("header feed sync = %+v", r)
		}
		for _, bad := range []*feed.Credentials{{Username: "u", Header: "X-Key"}, {Value: "v"}, {Header: "Bad Header", Value: "v"}} {
			_, _, err := e.in.Connect(ctx, stockbell.FeedSettings{Domain: "third.example.com", URL: e.host.URL("/x.json"), Credentials: bad})
			if stockbell.ErrorField(err) != "credentials" {
				t.Errorf("credentials %+v: %v", bad, err)
			}
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The scheduler queues one sync per due feed, once however often it runs.
func TestScheduleQueuesDueFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(2, 1))})
		shop := e.connect("/f.json", nil) // connecting queues the first sync
		e.sync(shop)
		count := func() (n int) {
			db.DB.Get(&n, `SELECT COUNT(*) FROM river_job WHERE kind = 'feed_sync' AND state = 'available'`)
			return n
		}
		must(t, e.in.HandleSchedule(ctx, stockbell.FeedScheduleJob{}))
		if count() != 1 {
			t.Fatalf("%d sync jobs before the feed is due, want the first one only", count())
		}
		_, err := db.DB.Exec(`DELETE FROM river_job WHERE kind = 'feed_sync'`)
		must(t, err)
		e.in.Clock = stockbell.ClockFunc(func() time.Time { return time.Now().Add(stockbell.DefaultFeedInterval + time.Second) })
		must(t, e.in.HandleSchedule(ctx, stockbell.FeedScheduleJob{}))
		must(t, e.in.HandleSchedule(ctx, stockbell.FeedScheduleJob{}))
		if count() != 1 {
			t.Fatalf("%d sync jobs for one due feed, want 1", count())
		}
	})
}

// TestSyncReadsAFeedSavedWithAByteOrderMark: a JSON feed and an XML feed
// saved with a UTF-8 byte order mark, served as their types and as plain
// text (sniffed), sync like any other.
func TestSyncReadsAFeedSavedWithAByteOrderMark(t *testing.T) {
	feeds := []feedtest.Feed{
		{Body: []byte("\ufeff[{\"id\":\"A\",\"inventory_quantity\":4}]"), ContentType: "application/json"},
		{Body: []byte("\ufeff[{\"id\":\"A\",\"inventory_quantity\":4}]"), ContentType: "text/plain"},
		{Body: []byte("\ufeff<?xml version=\"1.0\"?><Products><Product><id>A</id><inventory_quantity>4</inventory_quantity></Product></Products>"), ContentType: "text/xml"},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for i, f := range feeds {
			path := "/bom" + string(rune('a'+i))
			e.host.Set(path, f)
			shop := e.connect(path, nil)
			if r := e.sync(shop); r.Failed() || r.Items != 1 {
				t.Errorf("feed %d (%s): sync = %+v", i, f.ContentType, r)
			} else if v := e.variant(shop, "A"); v.Stock != 4 {
				t.Errorf("feed %d (%s): stock %d, want 4", i, f.ContentType, v.Stock)
			}
		}
	})
}
