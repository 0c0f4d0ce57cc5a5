package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestSyncLogInChromium: in the first-run demo the merchant finds the
// Sync log in the menu, with the demo's example entries (a sync and its
// rejected item under it, a failure). When a sync of a source fails every
// admin page shows a banner naming it and its reason; its link opens the
// log with the failure on top, and the banner goes once the source syncs.
// On each database, at a phone's width.
func TestSyncLogInChromium(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			m := startServer(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}))
			ctx := browsertest.New(t)
			browsertest.Do(t, ctx, chromedp.EmulateViewport(390, 844))
			base := m.URL()
			browse(t, ctx, base+"/", "h1")
			clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "table")
			browse(t, ctx, base+"/admin", "nav.menu")
			clickAndWait(t, ctx, `nav.menu a[href="/admin/sync-log"]`, "table.sync-log")
			rows := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll("table.sync-log tbody tr")].map(r => r.innerText)`)
			if len(rows) != 2 || !strings.Contains(rows[0], "Demo catalog sync") || !strings.Contains(rows[0], "gift-card") ||
				!strings.Contains(rows[1], "Example failure") {
				t.Fatalf("the demo's sync log rows: %q", rows)
			}
			if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll(".sync-failure").length`); n != 0 {
				t.Fatalf("the demo shows %d failure banners, want none", n)
			}

			shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain)
			if err != nil {
				t.Fatal(err)
			}
			const reason = "the feed answered 404 Not Found"
			record(t, m, stockbell.SyncReport{ShopID: shop.ID, Source: stockbell.FeedSource, Failure: reason})
			browse(t, ctx, base+"/admin/settings", ".sync-failure")
			if got := text(t, ctx, ".sync-failure"); got != "Catalog feed failed: "+reason+" — see the sync log" {
				t.Fatalf("banner reads %q", got)
			}
			browsertest.Screenshot(t, ctx, "sync-failure-banner-"+string(dialect))
			clickAndWait(t, ctx, `.sync-failure a`, "table.sync-log")
			if got := text(t, ctx, "table.sync-log tbody tr"); !strings.Contains(got, "Catalog feed") || !strings.Contains(got, reason) {
				t.Fatalf("the log's first row reads %q, want the feed's failure", got)
			}
			if overflow := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth + 1`); overflow {
				t.Error("the sync log overflows a 390 px screen")
			}
			noTouchingBoxes(t, ctx, "Sync log with a failure banner at 390 px")
			browsertest.Screenshot(t, ctx, "sync-log-"+string(dialect))

			record(t, m, stockbell.SyncReport{ShopID: shop.ID, Source: stockbell.FeedSource, Items: 6})
			browse(t, ctx, base+"/admin", "h1")
			if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll(".sync-failure").length`); n != 0 {
				t.Errorf("%d failure banners after the feed synced, want none", n)
			}
		})
	}
}

func record(t *testing.T, m *Main, report stockbell.SyncReport) {
	t.Helper()
	if err := m.DB.RecordSync(context.Background(), report); err != nil {
		t.Fatal(err)
	}
}
