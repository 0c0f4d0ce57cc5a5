package prestashop_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestModulePostsProcessedTogether: posts claimed together do what they do
// one at a time (TestModulePostRestocks, TestModulePostUnknownVariant): a
// restock applied and an older post ignored, a product new since the sync
// read, one the shop does not have recorded in the sync log.
func TestModulePostsProcessedTogether(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		small := e.variant(shop, shirtID, shirtSmall)
		e.subscribe(shop, small, "ada@example.com")
		e.fake.Do(func(s *prestashoptest.Shop) {
			s.Products = append(s.Products, &prestashoptest.Product{ID: 5, Name: "Cap", Price: "9.000000", Active: true, Quantity: 2})
		})
		e.clock.Add(time.Minute)
		older := e.stockPost(shirtID, shirtSmall, 1)
		e.clock.Add(time.Second)
		e.receiveTogether(secret, e.stockPost(shirtID, shirtSmall, 4), older, e.stockPost(5, 0, 2), e.stockPost(404, 0, 2))
		var left int
		must(t, db.DB.Get(&left, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`))
		if left != 0 {
			t.Fatalf("%d posts left unprocessed", left)
		}
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 4 {
			t.Fatalf("small shirt: stock %d, want 4 from the newer post", v.Stock)
		}
		if cap := e.variant(shop, 5, 0); cap.Stock != 2 || cap.ProductTitle != "Cap" {
			t.Fatalf("a product new since the sync: %+v", cap)
		}
		rejected := stockbell.EventSyncItemRejected
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &rejected})
		must(t, err)
		if len(log) != 1 || !strings.Contains(log[0].Detail, `"404-0"`) {
			t.Fatalf("sync log rejections = %+v", log)
		}
		var jobs int
		must(t, db.DB.Get(&jobs, `SELECT COUNT(*) FROM river_job WHERE kind = 'variant_stock_changed'`))
		if jobs != 1 {
			t.Fatalf("%d restock jobs, want one for the awaited shirt's applied post", jobs)
		}
	})
}

// receiveTogether stores the posts and processes them as one claim of the
// drainer.
func (e *env) receiveTogether(secret string, posts ...post) {
	e.t.Helper()
	for _, p := range posts {
		header, body := e.signed(secret, p)
		rc, err := e.verifier().VerifyWebhook(ctx, header, body)
		must(e.t, err)
		_, err = e.db.RecordReceipt(ctx, rc)
		must(e.t, err)
	}
	d := &integrations.Drainer{Registry: e.registry, Logger: slog.New(slog.DiscardHandler)}
	if n, err := d.DrainOnce(ctx); err != nil || n != len(posts) {
		e.t.Fatalf("drain claimed %d (%v), want the %d posts", n, err, len(posts))
	}
}
