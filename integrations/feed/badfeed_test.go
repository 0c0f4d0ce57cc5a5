package feed_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestBadFeedsChangeNothing syncs a good document, then each kind of bad
// feed: every one is recorded as a failed sync with its reason, and the
// last good state (stock, publication, validators) stays.
func TestBadFeedsChangeNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.in.Fetcher = feed.NewFetcher(feed.FetchConfig{AllowPrivate: true, MaxBytes: 64 << 10})
		good := feedtest.Items(20, 2)
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", good)})
		shop := e.connect("/f.json", nil)
		e.sync(shop)
		before, err := db.FindFeed(ctx, shop.ID)
		must(t, err)
		restocked := feedtest.Items(20, 9) // what a bad sync must not apply
		doc := string(feedtest.Document("json", restocked))
		big := feedtest.Document("json", feedtest.Items(400, 9))
		for _, c := range []struct {
			name   string
			feed   feedtest.Feed
			reason string
		}{
			{"non-2xx", feedtest.Feed{Status: http.StatusServiceUnavailable}, "answered 503"},
			{"wrong content type", feedtest.Feed{Body: []byte(doc), ContentType: "text/html"}, "content type is text/html"},
			{"malformed JSON", feedtest.Feed{Body: []byte(strings.Replace(doc, `"title":`, `"title"`, 5))}, "malformed JSON"},
			{"truncated document", feedtest.Feed{Body: []byte(doc[:len(doc)-40])}, "ends early"},
			{"transfer cut off", feedtest.Feed{Body: []byte(doc), CutAt: len(doc) / 2}, "broke off"},
			{"over the size cap", feedtest.Feed{Body: big}, "over the size cap"},
			{"malformed XML", feedtest.Feed{Body: []byte("<Products><Product><id>SKU-000001</id><inventory_quantity>9</inventory_quantity></Product><Product>"), ContentType: "application/xml"}, "ends early"},
		} {
			e.host.Set("/f.json", c.feed)
			r := e.sync(shop)
			if !r.Failed() || !strings.Contains(r.Failure, c.reason) || r.Changed != 0 {
				t.Fatalf("%s: report = %+v, want a failure with %q", c.name, r, c.reason)
			}
			if kind, d := e.lastLog(shop); kind != stockbell.EventSyncFailed || !strings.Contains(d["reason"].(string), c.reason) {
				t.Fatalf("%s: sync log = %s %v", c.name, kind, d)
			}
			assertUnchanged(t, e, shop, before, c.name)
		}
		// Unreachable.
		_, _, err = e.in.Connect(ctx, stockbell.FeedSettings{Domain: "shop.example.com", URL: "http://127.0.0.1:1/f.json"})
		must(t, err)
		if r := e.sync(shop); !strings.Contains(r.Failure, "could not be reached") {
			t.Fatalf("unreachable: %+v", r)
		}
		for i := range 20 {
			if v := e.variant(shop, good[i].ID); v.Stock != 2 || !v.Published {
				t.Fatalf("after the unreachable feed, %s = %+v", good[i].ID, v)
			}
		}
	})
}

func assertUnchanged(t *testing.T, e *env, shop *stockbell.Shop, before *stockbell.Feed, name string) {
	t.Helper()
	var n int
	must(t, e.db.DB.Get(&n, e.db.DB.Rebind(`SELECT COUNT(*) FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.shop_id = ? AND v.stock = 2 AND p.published = ?`), shop.ID, true))
	if n != 20 {
		t.Fatalf("%s: %d of 20 items kept their last good state", name, n)
	}
	after, err := e.db.FindFeed(ctx, shop.ID)
	must(t, err)
	if after.ETag != before.ETag || after.LastModified != before.LastModified || after.LastError == "" {
		t.Fatalf("%s: feed = %+v, before %+v", name, after, before)
	}
}

// TestBadItemsAreLoggedAndTheRestApplied: the valid items of a document
// with bad items are applied, and each bad one is in the sync log by
// position and reason.
func TestBadItemsAreLoggedAndTheRestApplied(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.host.Set("/f.json", feedtest.Feed{Body: []byte(`[
			{"id":"A","title":"A","inventory_quantity":3},
			{"title":"no id","inventory_quantity":1},
			{"id":"B","inventory_quantity":"lots"},
			{"id":"C","inventory_quantity":-1},
			{"id":"A","title":"A again","inventory_quantity":0},
			{"id":"D","title":"D","inventory_quantity":0}]`)})
		shop := e.connect("/f.json", nil)
		r := e.sync(shop)
		if r.Failed() || r.Items != 6 || r.Changed != 2 || r.RejectedCount() != 4 {
			t.Fatalf("report = %+v", r)
		}
		if v := e.variant(shop, "A"); v.Stock != 3 || v.Title != "A" {
			t.Fatalf("A = %+v (the first listing wins)", v)
		}
		e.variant(shop, "D")
		for _, id := range []string{"B", "C"} {
			if _, err := db.FindVariant(ctx, shop.ID, id); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
				t.Fatalf("rejected item %s was stored: %v", id, err)
			}
		}
		kind := stockbell.EventSyncItemRejected
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &kind})
		must(t, err)
		var got []string
		for i := len(log) - 1; i >= 0; i-- {
			got = append(got, strings.TrimSpace(log[i].Detail))
		}
		want := []string{
			`{"id":"","position":2,"reason":"item has no id","source":"feed"}`,
			`{"id":"B","position":3,"reason":"inventory_quantity \"lots\" is not a number","source":"feed"}`,
			`{"id":"C","position":4,"reason":"inventory_quantity -1 is negative","source":"feed"}`,
			`{"id":"A","position":5,"reason":"duplicate id (first listed at position 1)","source":"feed"}`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("rejections:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestBadItemKeepsItsLastGoodState: an item still listed, but rejected
// this time (a malformed quantity), keeps what the last good listing
// stored: it is not taken for an item the feed no longer lists.
func TestBadItemKeepsItsLastGoodState(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.host.Set("/f.json", feedtest.Feed{Body: []byte(`[
			{"id":"A","title":"A","inventory_quantity":3},
			{"id":"B","title":"B","inventory_quantity":2}]`)})
		shop := e.connect("/f.json", nil)
		if r := e.sync(shop); r.Failed() || r.Changed != 2 {
			t.Fatalf("first sync = %+v", r)
		}
		e.host.Set("/f.json", feedtest.Feed{Body: []byte(`[
			{"id":"A","title":"A","inventory_quantity":3},
			{"id":"B","title":"B","inventory_quantity":"lots"},
			{"id":" ","title":"no id","inventory_quantity":1}]`), ModifiedAt: time.Now().Add(time.Minute)})
		r := e.sync(shop)
		if r.Failed() || r.RejectedCount() != 2 || r.Unpublished != 0 {
			t.Fatalf("sync with a bad listing of B = %+v", r)
		}
		if v := e.variant(shop, "B"); !v.Published || v.Deleted || v.Stock != 2 {
			t.Fatalf("B after a bad listing = %+v, want its last good state", v)
		}
	})
}

// TestConcurrentSyncsNeverOverlap runs syncs of one feed from two
// integrations at once, as two replicas would: the lease lets one read the
// feed at a time (the slow host sees one request at a time), a sync that
// does not wait is refused, and one that waits runs after.
func TestConcurrentSyncsNeverOverlap(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		body := feedtest.Document("json", feedtest.Items(50, 1))
		var inFlight, maxInFlight, requests atomic.Int32
		slow := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			requests.Add(1)
			for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
			}
			time.Sleep(300 * time.Millisecond)
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		})
		shop, _, err := e.in.Connect(ctx, stockbell.FeedSettings{Domain: "shop.example.com", URL: slow + "/f.json"})
		must(t, err)
		replica := newIntegration(db, e.in.Sealer, feed.NewFetcher(feed.FetchConfig{AllowPrivate: true}))
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i, in := range []*feed.Integration{e.in, replica, e.in, replica} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = in.Sync(ctx, shop.ID, feed.SyncOptions{Wait: true})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			must(t, err)
		}
		if maxInFlight.Load() != 1 || requests.Load() != 4 {
			t.Fatalf("%d syncs read the feed at once (%d requests), want 1 at a time", maxInFlight.Load(), requests.Load())
		}
		// A sync that does not wait is refused while another runs; the job
		// handler asks to be run again after a while, reading nothing now.
		done := make(chan error)
		go func() { _, err := e.in.Sync(ctx, shop.ID, feed.SyncOptions{}); done <- err }()
		for inFlight.Load() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		if _, err := replica.Sync(ctx, shop.ID, feed.SyncOptions{}); err != feed.ErrBusy {
			t.Fatalf("a second sync while one runs: %v, want ErrBusy", err)
		}
		var later *stockbell.RetryLaterError
		if err := replica.HandleSync(ctx, stockbell.FeedSyncJob{ShopID: shop.ID}); !errors.As(err, &later) {
			t.Fatalf("the sync job while another sync runs: %v, want to be run again later", err)
		}
		must(t, <-done)
		if requests.Load() != 5 {
			t.Fatalf("%d requests, want 5 (the busy ones read nothing)", requests.Load())
		}
	})
}
