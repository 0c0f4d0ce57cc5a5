package web_test

import (
	"html"
	"net/http"
	"regexp"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSubscribersExportOffersExcel: beside "Export these as CSV" the page
// links the same export "for Excel", with the search and filters, which
// downloads those subscribers behind a byte order mark.
func TestSubscribersExportOffersExcel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		b := f.signIn(t, w.shop)
		p := b.get("/admin/subscribers?q=ann&status=queued")
		wantStatus(t, p, http.StatusOK, "the subscribers page")
		link := regexp.MustCompile(`<a[^>]* href="(/admin/subscribers/export\?[^"]*)"[^>]*>for Excel</a>`).FindStringSubmatch(p.Body)
		if link == nil {
			t.Fatalf("the subscribers page has no export for Excel:\n%.2500s", p.Body)
		}
		if want := "/admin/subscribers/export?bom=1&q=ann&status=queued"; html.UnescapeString(link[1]) != want {
			t.Errorf("the export for Excel links %s, want %s", html.UnescapeString(link[1]), want)
		}
		export := b.get(html.UnescapeString(link[1]))
		wantStatus(t, export, http.StatusOK, "the export for Excel")
		rows := readCSVBody(t, export.Body, true)
		if len(rows) != 2 || rows[1][1] != "ann@example.com" {
			t.Errorf("the export for Excel has rows %q, want ann's alone", rows)
		}
	})
}
