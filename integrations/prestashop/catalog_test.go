package prestashop_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSyncCatalog reads products, combinations (variant ids
// {id_product}-{id_product_attribute}, titles from their option values)
// and stock (strings for numbers), page by page, and honours out_of_stock.
func TestSyncCatalog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) { // enough products for two pages
			for id := int64(100); id < 230; id++ {
				s.Products = append(s.Products, &prestashoptest.Product{ID: id, Name: fmt.Sprint("Filler ", id), Price: "1.000000", Active: true, Quantity: 5})
			}
		})
		shop, _ := e.connected()
		medium := e.variant(shop, shirtID, shirtMedium)
		if medium.Stock != 3 || medium.Title != "M" || medium.SKU != "demo_1_m" || medium.Price != "22.40" || medium.ProductTitle != "Hummingbird T-shirt" ||
			medium.InventoryPolicy != stockbell.InventoryDeny || !medium.Tracked || medium.ImageURL != e.fake.URL()+"/img/p/1/2/12.jpg" ||
			medium.URL != e.fake.URL()+"/index.php?controller=product&id_product=1&id_product_attribute=12" {
			t.Fatalf("medium shirt = %+v", medium)
		}
		if small := e.variant(shop, shirtID, shirtSmall); !small.SoldOut() || small.Price != "19.90" {
			t.Fatalf("small shirt = %+v", small)
		}
		if _, err := db.FindVariant(ctx, shop.ID, stockbell.PrestaShopVariantID(shirtID, 0)); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("a product with combinations is a variant itself: %v", err)
		}
		if mug := e.variant(shop, mugID, 0); !mug.SoldOut() || mug.InventoryPolicy != stockbell.InventoryDeny {
			t.Fatalf("mug (shop default: deny) = %+v", mug)
		}
		if poster := e.variant(shop, posterID, 0); poster.SoldOut() || poster.InventoryPolicy != stockbell.InventoryContinue {
			t.Fatalf("poster (orders allowed) = %+v", poster)
		}
		log := e.syncLog(shop)
		var d map[string]any
		json.Unmarshal([]byte(log[0].Detail), &d)
		if len(log) != 1 || log[0].Kind != stockbell.EventSyncFinished || d["source"] != "prestashop:catalog" || d["items"] != 134.0 {
			t.Fatalf("sync log = %s", log[0].Detail)
		}
		pages := 0
		for _, r := range e.fake.Requests() {
			if strings.HasPrefix(r, "products?") && strings.Contains(r, "display=full") {
				pages++
			}
		}
		if pages != 2 {
			t.Fatalf("%d product pages read, want 2", pages)
		}
	})
}

// TestBackordersNeverSoldOut: a product that takes orders when out of stock
// — itself, or through the shop's default — is never sold out, whatever
// its quantity (the storefront API refuses subscriptions to a variant
// that is not sold out; the end-to-end test asks it).
func TestBackordersNeverSoldOut(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) { s.AllowOrders = true })
		shop, _ := e.connected()
		e.clock.Add(time.Minute)
		e.fake.SetQuantity(posterID, 0, -4)
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		for _, id := range []int64{mugID, posterID} {
			v := e.variant(shop, id, 0)
			if v.SoldOut() || v.InventoryPolicy != stockbell.InventoryContinue {
				t.Errorf("product %d takes backorders but is %+v", id, v)
			}
		}
	})
}

// TestSyncCatalogRetriesAnUnavailableShop: 503 answers are tried again
// after their Retry-After; a shop that stays unavailable fails the job
// (which River retries) after MaxAttempts.
func TestSyncCatalogRetriesAnUnavailableShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.slept = nil
		e.fake.FailNext(2, "7")
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		if len(e.slept) != 2 || e.slept[0] != 7*time.Second || e.slept[1] != 7*time.Second {
			t.Fatalf("waits between attempts: %v", e.slept)
		}
		e.fake.FailNext(prestashop.MaxAttempts, "")
		err := e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID})
		if err == nil || !strings.Contains(err.Error(), "503") {
			t.Fatalf("a shop unavailable %d times: %v", prestashop.MaxAttempts, err)
		}
	})
}

// TestRevokedKeyIsRecorded: when the merchant deletes or disables the
// webservice key (PrestaShop answers 401, code 20), the sync, the
// reconciliation and a module post's read record why in the shop's sync
// log, and the job is done rather than retried: connecting the shop again
// with a new key syncs its whole catalog.
func TestRevokedKeyIsRecorded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.fake.Do(func(s *prestashoptest.Shop) { s.KeyDisabled = true })
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
		failed := stockbell.EventSyncFailed
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &failed})
		must(t, err)
		if len(log) != 2 || !strings.Contains(log[0].Detail, "refused the key") || !strings.Contains(log[0].Detail, "prestashop:reconcile") ||
			!strings.Contains(log[1].Detail, "prestashop:catalog") {
			t.Fatalf("sync log failures = %+v", log)
		}
		if err := e.process(e.signed(secret, e.stockPost(5, 0, 2))); err != nil { // a product the post's processing must read
			t.Fatalf("a post's read refused the key and the post failed: %v", err)
		}
		log, _, err = db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &failed, Limit: 1})
		must(t, err)
		if len(log) != 1 || !strings.Contains(log[0].Detail, "refused the key") || !strings.Contains(log[0].Detail, "prestashop:module") {
			t.Fatalf("the post's failure = %+v", log)
		}
		e.fake.FailNext(prestashop.MaxAttempts, "")
		if err := e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}); err == nil {
			t.Fatal("an unavailable shop is not a refused key: the job must retry")
		}
	})
}

// TestRevokedKeyIsOneSyncLogEntry: every reconciliation (every 15
// minutes) meets the revoked key until the merchant connects the shop
// again; the sync log keeps one entry for it, counting the runs, and a
// run that reads the shop again is an entry of its own.
func TestRevokedKeyIsOneSyncLogEntry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.fake.Do(func(s *prestashoptest.Shop) { s.KeyDisabled = true })
		reconcile := func() {
			t.Helper()
			e.clock.Add(15 * time.Minute)
			must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
		}
		for range 3 {
			reconcile()
		}
		e.fake.Do(func(s *prestashoptest.Shop) { s.KeyDisabled = false })
		reconcile()
		e.fake.Do(func(s *prestashoptest.Shop) { s.KeyDisabled = true })
		reconcile()
		var got []string
		for _, entry := range e.syncLog(shop) {
			if strings.Contains(entry.Detail, prestashop.ReconcileSource) {
				var d map[string]any
				must(t, json.Unmarshal([]byte(entry.Detail), &d))
				got = append(got, fmt.Sprintf("%s failures=%v", entry.Kind, d["failures"]))
			}
		}
		want := []string{"sync_failed failures=<nil>", "sync_finished failures=<nil>", "sync_failed failures=3"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("reconciliations in the sync log, newest first = %v, want %v", got, want)
		}
	})
}

// TestDailyCatalogSyncRecoversARefusedSync: a catalog sync the key may not
// make (a permission taken away) is recorded and not retried; once the
// merchant grants the permission again, the daily run (ShopID 0) queues a
// sync of every connected shop, which reads the products made meanwhile.
func TestDailyCatalogSyncRecoversARefusedSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		_, err := db.DB.Exec(`DELETE FROM river_job WHERE kind = 'prestashop_catalog_sync'`) // connected() ran the one queued at connect
		must(t, err)
		e.fake.Do(func(s *prestashoptest.Shop) {
			s.Denied = map[string]bool{"products": true}
			s.Products = append(s.Products, &prestashoptest.Product{ID: 30, Name: "Cap", Reference: "cap", Price: "9.000000", Active: true, Quantity: 4})
		})
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		e.fake.Do(func(s *prestashoptest.Shop) { s.Denied = nil })

		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{}))
		args := "json(args)" // River's SQLite driver keeps them as JSONB
		if db.Dialect == store.Postgres {
			args = "args::text"
		}
		var queued []string
		must(t, db.DB.Select(&queued, `SELECT `+args+` FROM river_job WHERE kind = 'prestashop_catalog_sync'`))
		var job stockbell.PrestaShopCatalogSyncJob
		if len(queued) != 1 || json.Unmarshal([]byte(queued[0]), &job) != nil || job.ShopID != shop.ID {
			t.Fatalf("the daily run queued %v, want one sync of shop %d", queued, shop.ID)
		}
		must(t, e.in.SyncCatalog(ctx, job))
		if v := e.variant(shop, 30, 0); v.Stock != 4 {
			t.Fatalf("the cap made while the sync was refused = %+v, want read with its stock", v)
		}
	})
}

// TestCombinationPageSelectsTheCombination: an alert's link leads to the
// variant's page, so a combination's is the product's page with that
// combination selected (id_product_attribute, which PrestaShop's product
// controller reads and keeps when it redirects to the friendly URL); a
// product without combinations keeps the product's page. A second shop's
// pages are its own.
func TestCombinationPageSelectsTheCombination(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e, other := newEnv(t, db), newEnv(t, db)
		shop, _ := e.connected()
		otherShop, _ := other.connected()
		productPage := func(e *env, id int64) string {
			return fmt.Sprintf("%s/index.php?controller=product&id_product=%d", e.fake.URL(), id)
		}
		want := map[*stockbell.VariantWithProduct]string{
			e.variant(shop, shirtID, shirtSmall):           productPage(e, shirtID) + "&id_product_attribute=11",
			e.variant(shop, shirtID, shirtMedium):          productPage(e, shirtID) + "&id_product_attribute=12",
			e.variant(shop, mugID, 0):                      productPage(e, mugID),
			other.variant(otherShop, shirtID, shirtMedium): productPage(other, shirtID) + "&id_product_attribute=12",
		}
		for v, page := range want {
			if v.URL != page || v.ProductURL != strings.Split(page, "&id_product_attribute")[0] {
				t.Errorf("variant %s of shop %d: page %q (product %q), want %q", v.PlatformID, v.ShopID, v.URL, v.ProductURL, page)
			}
		}
	})
}
