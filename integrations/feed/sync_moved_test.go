package feed_test

import (
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFeedMovedDuringASyncIsReadInFull: an operator gives the feed a new
// URL (shop add again) while a sync of the old one is reading it. The old
// document's validators are not kept for the new URL: the next sync asks
// the new address for its document unconditionally, where sending the
// old document's Last-Modified to a host whose file is older would be
// answered 304, and the new feed left unread until it changed.
func TestFeedMovedDuringASyncIsReadInFull(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		reading, release := make(chan struct{}), make(chan struct{})
		oldDoc := feedtest.Document("json", feedtest.Items(3, 0))
		modified := time.Now().Add(-time.Minute).UTC()
		old := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("ETag", `"old-document"`)
			w.Header().Set("Last-Modified", modified.Format(http.TimeFormat))
			close(reading)
			<-release
			w.Write(oldDoc)
		})
		items := feedtest.Items(3, 0)
		items[1].InventoryQuantity = 6
		e.host.Set("/new.json", feedtest.Feed{Body: feedtest.Document("json", items), NoETag: true, ModifiedAt: modified.Add(-time.Hour)})

		shop, _, err := e.in.Connect(ctx, stockbell.FeedSettings{Domain: "shop.example.com", URL: old + "/feed.json"})
		must(t, err)
		done := make(chan *stockbell.SyncReport)
		go func() {
			report, err := e.in.Sync(ctx, shop.ID, feed.SyncOptions{})
			if err != nil {
				t.Error(err)
			}
			done <- report
		}()
		<-reading
		_, _, err = e.in.Connect(ctx, stockbell.FeedSettings{Domain: "shop.example.com", URL: e.host.URL("/new.json")})
		must(t, err)
		close(release)
		if report := <-done; report == nil || report.Failed() {
			t.Fatalf("the old URL's sync: %+v", report)
		}

		report := e.sync(shop)
		if h := e.host.Header("/new.json"); h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "" {
			t.Errorf("the first sync of the new URL sent the old document's validators: If-None-Match %q, If-Modified-Since %q",
				h.Get("If-None-Match"), h.Get("If-Modified-Since"))
		}
		if report.NotModified || e.variant(shop, "SKU-000001").Stock != 6 {
			t.Fatalf("the new URL's document was not read: %+v, stock %d", report, e.variant(shop, "SKU-000001").Stock)
		}
	})
}
