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

// TestSyncJobMeetingTheShopsEraseEndsQuietly: a sync job whose shop is
// erased while it runs ends without an error to retry and without a
// warning, and leaves no row of the erased shop behind.
func TestSyncJobMeetingTheShopsEraseEndsQuietly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var logs bytes.Buffer
		e.in.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(3, 1))})
		shop := e.connect("/f.json", nil)
		e.in.Catalog = storetest.ErasingCatalog{CatalogService: db, DB: db, ShopID: shop.ID}
		if err := e.in.HandleSync(ctx, stockbell.FeedSyncJob{ShopID: shop.ID}); err != nil {
			t.Errorf("the sync job meeting its shop's erase: %v, want it done", err)
		}
		if strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("the sync job meeting its shop's erase warned:\n%s", logs.String())
		}
		left, err := storetest.ShopRows(ctx, db, shop.ID)
		must(t, err)
		if len(left) > 0 {
			t.Errorf("the sync job meeting its shop's erase left rows of the shop: %v", left)
		}
	})
}
