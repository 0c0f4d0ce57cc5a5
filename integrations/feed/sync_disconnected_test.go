package feed_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSyncJobOfADisconnectedShopEndsQuietly: a sync job queued before an
// operator disconnected the feed shop (`shop disconnect`), or before it
// was erased, ends without an error to retry, without reading the feed,
// and without a warning: nothing is wrong with the feed.
func TestSyncJobOfADisconnectedShopEndsQuietly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var logs bytes.Buffer
		e.in.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(3, 1))})
		shop := e.connect("/f.json", nil)
		must(t, db.UninstallShop(ctx, shop.ID))
		if err := e.in.HandleSync(ctx, stockbell.FeedSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatalf("the sync job of a disconnected shop: %v", err)
		}
		must(t, db.DeleteShop(ctx, shop.ID))
		if err := e.in.HandleSync(ctx, stockbell.FeedSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatalf("the sync job of an erased shop: %v", err)
		}
		if hits := e.host.Hits("/f.json"); hits != 0 {
			t.Errorf("the feed was read %d time(s) for a disconnected shop", hits)
		}
		if strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("the sync job of a disconnected shop warned:\n%s", logs.String())
		}
	})
}
