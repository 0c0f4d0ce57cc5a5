package prestashop_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// receive verifies, stores and processes a post as the route and the job do.
func (e *env) receive(header http.Header, body []byte) {
	e.t.Helper()
	must(e.t, e.process(header, body))
}

// process verifies and stores a post, and returns the error of its
// processing job.
func (e *env) process(header http.Header, body []byte) error {
	e.t.Helper()
	rc, err := e.verifier().VerifyWebhook(ctx, header, body)
	must(e.t, err)
	_, err = e.db.RecordReceipt(ctx, rc)
	must(e.t, err)
	return e.registry.ProcessReceipt(ctx, stockbell.ProcessReceiptJob{ReceiptID: rc.ID})
}

// TestModulePostRestocks: the module's post applies the quantity at
// PrestaShop's time of it, as a pushed level (the engine's job is queued
// by the store with it; the end-to-end test sees the email); an older post
// arriving late is ignored.
func TestModulePostRestocks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		small := e.variant(shop, shirtID, shirtSmall)
		e.subscribe(shop, small, "ada@example.com")
		e.clock.Add(time.Minute)
		older := e.stockPost(shirtID, shirtSmall, 1)
		e.clock.Add(time.Second)
		e.receive(e.signed(secret, e.stockPost(shirtID, shirtSmall, 4)))
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 4 || v.SoldOut() {
			t.Fatalf("small shirt after the post: %+v", v)
		}
		levels, err := db.FindInventoryLevels(ctx, small.ShopID, small.ID)
		must(t, err)
		if len(levels) != 1 || levels[0].Origin != stockbell.LevelChange || !levels[0].PlatformUpdatedAt.Equal(e.clock.Now().Truncate(time.Second)) {
			t.Fatalf("levels after the post: %+v", levels[0])
		}
		e.receive(e.signed(secret, older))
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 4 {
			t.Fatalf("an older post, late, changed the stock to %d", v.Stock)
		}
	})
}

// TestModulePostUnknownVariant: a post about a product created since the
// last sync reads it; one about a product the shop does not have is
// recorded in the sync log; the product-level total of a product with
// combinations is let go without a record.
func TestModulePostUnknownVariant(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.clock.Add(time.Minute)
		e.receive(e.signed(secret, e.stockPost(shirtID, 0, 3)))
		e.fake.Do(func(s *prestashoptest.Shop) {
			s.Products = append(s.Products, &prestashoptest.Product{ID: 5, Name: "Cap", Price: "9.000000", Active: true, Quantity: 2})
		})
		e.receive(e.signed(secret, e.stockPost(5, 0, 2)))
		if cap := e.variant(shop, 5, 0); cap.Stock != 2 || cap.ProductTitle != "Cap" {
			t.Fatalf("a product new since the sync: %+v", cap)
		}
		e.receive(e.signed(secret, e.stockPost(404, 0, 2)))
		rejected := stockbell.EventSyncItemRejected
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &rejected})
		must(t, err)
		if len(log) != 1 || !strings.Contains(log[0].Detail, `"404-0"`) || !strings.Contains(log[0].Detail, "does not list") {
			t.Fatalf("sync log rejections = %+v", log)
		}
	})
}
