package feed_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// eraseAtRead is the catalog with the shop erased (disconnected, then
// deleted as `stockbell shop erase` does) when the sync begins its read
// of the feed: an erase the sync meets halfway, its writes to come.
type eraseAtRead struct {
	stockbell.CatalogService
	db     *store.DB
	shopID int64
}

func (c eraseAtRead) BeginStockRead(ctx context.Context) (stockbell.StockRead, error) {
	if err := c.db.UninstallShop(ctx, c.shopID); err != nil {
		return stockbell.StockRead{}, err
	}
	if err := c.db.DeleteShop(ctx, c.shopID); err != nil {
		return stockbell.StockRead{}, err
	}
	return c.CatalogService.BeginStockRead(ctx)
}

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
		e.in.Catalog = eraseAtRead{CatalogService: db, db: db, shopID: shop.ID}
		if err := e.in.HandleSync(ctx, stockbell.FeedSyncJob{ShopID: shop.ID}); err != nil {
			t.Errorf("the sync job meeting its shop's erase: %v, want it done", err)
		}
		if strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("the sync job meeting its shop's erase warned:\n%s", logs.String())
		}
		for _, table := range []string{"products", "variants", "events", "feeds"} {
			var n int
			must(t, db.DB.GetContext(ctx, &n, db.DB.Rebind(`SELECT COUNT(*) FROM `+table+` WHERE shop_id = ?`), shop.ID))
			if n != 0 {
				t.Errorf("%d rows of the erased shop in %s", n, table)
			}
		}
	})
}
