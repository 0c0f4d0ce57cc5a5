package main

import (
	"context"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestSyncLogSaysWhatACatalogSyncStoredInChromium: a platform's catalog
// sync, which stores every item it reads without counting changes, reads
// in the Sync log as the items it read and stored, where a Magento
// store's first sync read "3 items read, 0 changed" once it had stored
// them; a feed's sync still says how many changed.
func TestSyncLogSaysWhatACatalogSyncStoredInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	base := m.URL()
	browse(t, ctx, base+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "table")
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain)
	if err != nil {
		t.Fatal(err)
	}
	record(t, m, stockbell.SyncReport{ShopID: shop.ID, Source: stockbell.FeedSource, Items: 5, Changed: 2})
	record(t, m, stockbell.SyncReport{ShopID: shop.ID, Source: "magento:catalog", Items: 3, Stored: 3})
	browse(t, ctx, base+"/admin/sync-log", "table.sync-log")
	rows := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll("table.sync-log tbody tr")].map(r => r.innerText)`)
	if len(rows) < 2 || !strings.Contains(rows[0], "3 items read, 3 stored, 0 unpublished") || strings.Contains(rows[0], "changed") {
		t.Fatalf("the Magento sync's row reads %q, want 3 items read, 3 stored", rows)
	}
	if !strings.Contains(rows[1], "5 items read, 2 changed, 0 unpublished") {
		t.Errorf("the feed sync's row reads %q, want 5 items read, 2 changed", rows[1])
	}
}
