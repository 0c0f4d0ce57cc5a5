package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
)

// TestMagentoProductCreatedDuringSyncIsCatalogued runs on the real server
// and queue, on both databases: a product created in Magento while a
// catalog sync runs, after the sync read its last page, is not in that
// sync's listing; the module's stock post for it arrives while the sync
// still runs and asks for a sync, which River takes for the running one.
// That sync runs once more when it ends, so the product is catalogued
// with its stock rather than waiting for the next daily sync.
func TestMagentoProductCreatedDuringSyncIsCatalogued(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { testMagentoProductCreatedDuringSync(t, dbURL) })
	}
}

func testMagentoProductCreatedDuringSync(t *testing.T, dbURL string) {
	ctx := context.Background()
	fake := magentoStore(t)
	m := magentoServer(t, dbURL)
	if status, body := activate(t, m, fake.ActivationForm()); status != http.StatusOK {
		t.Fatalf("activation answered %d: %s", status, body)
	}
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformMagento, fake.Domain())
	if err != nil {
		t.Fatal(err)
	}
	secret := identity(t, m, fake)
	syncKind := stockbell.MagentoCatalogSyncJob{}.Kind()
	untilDailySyncRan(t, m)
	untilNoJobOf(t, m, syncKind)
	if _, err := m.DB.FindVariant(ctx, shop.ID, "MUG"); err != nil {
		t.Fatalf("the first catalog sync did not store the mug: %v", err)
	}

	// The next sync reads the catalog in two pages; once it has chosen
	// the second (the last), Magento creates the lamp and the module
	// posts its stock, which is processed before the sync goes on.
	pages := 0
	fake.Do(func(f *magentotest.Fake) {
		f.AfterProductPage = func(f *magentotest.Fake) {
			if pages++; pages != 2 {
				return
			}
			f.Products = append(f.Products, &magentotest.Product{ID: 500, SKU: "LAMP", Name: "Lamp", Type: "simple", Visibility: 4,
				Status: 1, Price: 30, URLKey: "lamp", ManageStock: true, Qty: 4, InStock: true, UpdatedAt: time.Now()})
			post := map[string]any{"shop": fake.Domain(), "sku": "LAMP", "qty": 4, "is_in_stock": true, "source": "default",
				"updated_at": time.Now().UTC().Format(time.DateTime)}
			if status, body := postStock(t, m, fake.Domain(), secret, time.Now(), post); status != http.StatusOK {
				t.Errorf("the module's post answered %d: %s", status, body)
			}
			if !postSettled(m, shop.ID, "LAMP") {
				t.Error("the post about the lamp was not processed while the sync ran")
			}
		}
	})
	if err := m.Queue.Insert(ctx, stockbell.MagentoCatalogSyncJob{ShopID: shop.ID}, &stockbell.JobOptions{UniqueByArgs: true}); err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the lamp in the catalog with its stock", func() bool {
		lamp, err := m.DB.FindVariant(ctx, shop.ID, "LAMP")
		return err == nil && lamp.Stock == 4 && !lamp.Deleted
	})
	untilNoJobOf(t, m, syncKind)
	if lamp, err := m.DB.FindVariant(ctx, shop.ID, "LAMP"); err != nil || lamp.Deleted || lamp.SoldOut() {
		t.Fatalf("after the syncs the lamp = %+v (%v)", lamp, err)
	}
	fake.Do(func(f *magentotest.Fake) {
		if pages != 4 {
			t.Errorf("the catalog was read in %d pages after the first sync, want 4 (the sync ran once more)", pages)
		}
	})
}

// untilDailySyncRan waits until the daily catalog sync the queue's leader
// runs at start has queued its syncs, so that none comes later.
func untilDailySyncRan(t *testing.T, m *Main) {
	t.Helper()
	args := "json(args)"
	if m.DB.Dialect == store.Postgres {
		args = "args::text"
	}
	eventually(t, m, "the daily catalog sync run at start", func() bool {
		var n int
		err := m.DB.DB.Get(&n, m.DB.DB.Rebind(`SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = 'completed'
			AND replace(`+args+`, ' ', '') = '{"shop_id":0}'`), stockbell.MagentoCatalogSyncJob{}.Kind())
		return err == nil && n > 0
	})
}

// postSettled waits (at most 30 s) until the module's post about the
// unknown SKU was processed: recorded in the sync log and its receipt
// done. It runs in the store's handler, off the test's goroutine.
func postSettled(m *Main, shopID int64, sku string) bool {
	ctx := context.Background()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		log, _, err := m.DB.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shopID, Limit: 5})
		if err != nil {
			continue
		}
		recorded := false
		for _, e := range log {
			recorded = recorded || strings.Contains(e.Detail, sku)
		}
		var pending int
		err = m.DB.DB.Get(&pending, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`)
		if recorded && err == nil && pending == 0 {
			return true
		}
	}
	return false
}
