package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAdminExportRefusesAnUnknownBOM: the admin's three CSV exports read
// bom as the API's do: 1, true, 0 or false in any case. Their own links
// only ever send bom=1, so another value comes from an address edited by
// hand or cut short (bom=yes, bom=tru), and is refused with the admin's
// error page naming bom and the values it takes, before any CSV, rather
// than read as "no byte order mark" (a file whose accents Excel garbles).
func TestAdminExportRefusesAnUnknownBOM(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		for _, export := range []string{"/admin/reports/queued-subscribers.csv", "/admin/reports/activity.csv", "/admin/subscribers/export"} {
			for _, bom := range []string{"yes", "on", "2", "tru"} {
				p := b.get(export + "?bom=" + bom)
				body := html.UnescapeString(p.Body)
				if p.Status != http.StatusUnprocessableEntity || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") ||
					p.Header.Get("Content-Disposition") != "" || !strings.Contains(body, `bom must be 1 or true`) || !strings.Contains(body, `"`+bom+`"`) {
					t.Errorf("%s?bom=%s: %d %s %q\n%.400s", export, bom, p.Status, p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition"), p.Body)
				}
			}
			for bom, want := range map[string]bool{"1": true, "TRUE": true, "0": false, "False": false, "": false} {
				p := b.get(export + "?bom=" + bom)
				if p.Status != http.StatusOK || strings.HasPrefix(p.Body, report.BOM) != want {
					t.Errorf("%s?bom=%s: %d, byte order mark %t, want %t", export, bom, p.Status, strings.HasPrefix(p.Body, report.BOM), want)
				}
			}
		}
	})
}
