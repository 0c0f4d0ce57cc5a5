package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// recordSyncs writes reports to a shop's sync log a minute apart, on the
// fixture's clock.
func recordSyncs(t *testing.T, f *adminFixture, shopID int64, reports ...stockbell.SyncReport) {
	t.Helper()
	for _, r := range reports {
		f.clock.Add(time.Minute)
		r.ShopID = shopID
		if err := f.db.RecordSync(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSyncLogPageShowsEachSync: the Sync log page lists the shop's syncs
// newest first in the shop's time zone: a source in words, what a sync
// read and changed, a repeated failure once with its count and first
// time, rejections under their sync; "Failures only" keeps the failed
// ones; another shop's log never shows.
func TestSyncLogPageShowsEachSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop, other := mustShop(t, db, "a.example"), mustShop(t, db, "b.example")
		zone := "America/New_York"
		if _, err := db.UpdateSettings(context.Background(), shop.ID, stockbell.SettingsUpdate{TimeZone: &zone}); err != nil {
			t.Fatal(err)
		}
		const refused = "Magento refused GET /V1/products (403): grant Magento_Catalog::products"
		recordSyncs(t, f, other.ID, stockbell.SyncReport{Source: "feed", Failure: "other shop's secret"})
		recordSyncs(t, f, shop.ID,
			stockbell.SyncReport{Source: "magento:reconcile", Failure: refused},
			stockbell.SyncReport{Source: "magento:reconcile", Failure: refused},
			stockbell.SyncReport{Source: "magento:reconcile", Failure: refused},
			stockbell.SyncReport{Source: "feed", Items: 12, Changed: 3, Unpublished: 1, Rejected: 2,
				Rejections: []stockbell.SyncRejection{{Position: 4, ID: "sku-4", Reason: "price is not a number"}, {Position: 9, Reason: "no id"}}})
		b := f.signIn(t, shop)
		page := b.get("/admin/sync-log")
		wantStatus(t, page, http.StatusOK, "the sync log")
		text := visibleText(page.Body)
		first := f.clock.Now().Add(-3 * time.Minute).In(mustZone(t, zone)).Format("2 Jan 2006, 15:04 MST")
		for _, want := range []string{
			"Catalog feed done 12 items read, 3 changed, 1 unpublished. 2 items rejected: sku-4 : price is not a number Item 9: no id",
			"Magento stock check failed 3 times in a row since " + first + " : " + refused,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the sync log does not say %q:\n%s", want, text)
			}
		}
		if log := text[strings.Index(text, "What happened"):]; strings.Index(log, "Catalog feed done") > strings.Index(log, "Magento stock check failed") {
			t.Error("the sync log is not newest first")
		}
		if strings.Count(text, refused) != 2 || strings.Contains(text, "secret") || !strings.Contains(text, "EST") {
			t.Errorf("want the refusal once in the log and once in its banner, in the shop's time zone, nothing of the other shop:\n%s", text)
		}
		failed := visibleText(b.get("/admin/sync-log?kind=failed").Body)
		if strings.Contains(failed, "Catalog feed done") || !strings.Contains(failed, "Magento stock check failed 3 times") {
			t.Errorf("failures only:\n%s", failed)
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestSyncLogPagesKeepRejectionsWithTheirSource: a sync whose rejections
// run onto the next page shows them there as the previous page's sync's.
func TestSyncLogPagesKeepRejectionsWithTheirSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "a.example")
		var rejections []stockbell.SyncRejection
		for i := 1; i <= 60; i++ {
			rejections = append(rejections, stockbell.SyncRejection{Position: i, ID: fmt.Sprintf("item-%d", i), Reason: "no price"})
		}
		recordSyncs(t, f, shop.ID, stockbell.SyncReport{Source: "prestashop:catalog", Items: 70, Rejections: rejections})
		b := f.signIn(t, shop)
		one, two := visibleText(b.get("/admin/sync-log").Body), visibleText(b.get("/admin/sync-log?page=2").Body)
		if !strings.Contains(one, "PrestaShop catalog sync done 70 items read") || !strings.Contains(one, "Page 1 of 2") ||
			strings.Count(one, "no price") != 49 {
			t.Errorf("first page:\n%s", one)
		}
		if !strings.Contains(two, "PrestaShop catalog sync Items rejected by the sync on the previous page") ||
			strings.Count(two, "no price") != 11 || !strings.Contains(two, "item-1 : no price") {
			t.Errorf("second page:\n%s", two)
		}
		if !strings.HasSuffix(one, "Page 1 of 2 Older →") || !strings.HasSuffix(two, "Page 2 of 2 ← Newer") || strings.Contains(one+two, "Showing") {
			t.Errorf("pagers: first page ends %q, second %q; want Page n of m and the link to the other page",
				one[max(len(one)-40, 0):], two[max(len(two)-40, 0):])
		}
	})
}

// TestSyncFailureBanner: while a source's latest sync failed, every admin
// page names it and its reason with a link to the log; a later success of
// that source ends it, while another source's success does not.
func TestSyncFailureBanner(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "a.example")
		b := f.signIn(t, shop)
		banner := func(path string) string {
			t.Helper()
			body := b.get(path).Body
			start := strings.Index(body, `<p class="banner warn sync-failure"`)
			if start < 0 {
				return ""
			}
			return body[start : start+strings.Index(body[start:], "</p>")]
		}
		if got := banner("/admin"); got != "" {
			t.Fatalf("a banner before any sync: %s", got)
		}
		recordSyncs(t, f, shop.ID, stockbell.SyncReport{Source: "feed", Failure: "the feed answered 404 Not Found"},
			stockbell.SyncReport{Source: "feed", Failure: "the feed answered 404 Not Found"},
			stockbell.SyncReport{Source: "bigcommerce:catalog", Items: 4})
		for _, path := range []string{"/admin", "/admin/settings", "/admin/sync-log"} {
			got := visibleText(banner(path))
			if got != "Catalog feed failed 2 times in a row: the feed answered 404 Not Found — see the sync log" ||
				!strings.Contains(banner(path), `href="/admin/sync-log"`) {
				t.Errorf("banner of %s = %q", path, got)
			}
		}
		recordSyncs(t, f, shop.ID, stockbell.SyncReport{Source: "feed", Items: 4})
		if got := banner("/admin"); got != "" {
			t.Errorf("the banner stays after the feed synced: %s", got)
		}
	})
}
