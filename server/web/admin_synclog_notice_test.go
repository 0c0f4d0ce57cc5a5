package web_test

import (
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSyncLogPageShowsASyncsNotice: a finished sync's notice (prices a
// PrestaShop shop gave before tax) is shown under its outcome, for its
// shop only.
func TestSyncLogPageShowsASyncsNotice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop, other := mustShop(t, db, "a.example"), mustShop(t, db, "b.example")
		const notice = "prices are before tax"
		recordSyncs(t, f, shop.ID, stockbell.SyncReport{Source: "prestashop:catalog", Items: 5, Notice: notice})
		recordSyncs(t, f, other.ID, stockbell.SyncReport{Source: "prestashop:catalog", Items: 2})
		page := f.signIn(t, shop).get("/admin/sync-log")
		wantStatus(t, page, http.StatusOK, "the sync log")
		if text := visibleText(page.Body); !strings.Contains(text, "PrestaShop catalog sync done 5 items read, 0 changed, 0 unpublished. "+notice) {
			t.Errorf("the sync log does not show the sync's notice:\n%s", text)
		}
		otherPage := f.signIn(t, other).get("/admin/sync-log")
		if text := visibleText(otherPage.Body); strings.Contains(text, notice) {
			t.Errorf("another shop's sync log shows the notice:\n%s", text)
		}
	})
}
