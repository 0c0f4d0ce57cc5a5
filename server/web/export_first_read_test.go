package web_test

import (
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// closedStore is a store on a database that is closed: every read fails.
func closedStore(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	closed := storetest.Open(t, db.Dialect)
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	return closed
}

// closedReports is the reports of db whose exports read a database that
// is closed: the shop's settings still read, the export's first read of
// rows fails.
func closedReports(t *testing.T, db *store.DB, clock stockbell.Clock) *report.Reports {
	t.Helper()
	return &report.Reports{Store: closedStore(t, db), Settings: db, Demand: db, Shops: db, Clock: clock}
}

// TestAdminExportsFailingAtTheirFirstReadShowTheErrorPage: an admin export
// for Excel (bom=1) whose first read of rows fails answers the admin's
// error page (500), not a download holding a byte order mark and nothing
// else.
func TestAdminExportsFailingAtTheirFirstReadShowTheErrorPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixtureOf(t, db, nil, func(deps *web.AdminDeps) {
			deps.Reports = closedReports(t, db, deps.Clock)
			deps.Subscriptions = closedStore(t, db)
		})
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		for _, export := range []string{"/admin/reports/activity.csv", "/admin/reports/queued-subscribers.csv", "/admin/subscribers/export"} {
			for _, bom := range []string{"1", "0"} {
				p := b.get(export + "?bom=" + bom)
				if p.Status != http.StatusInternalServerError || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") ||
					p.Header.Get("Content-Disposition") != "" || strings.HasPrefix(p.Body, report.BOM) {
					t.Errorf("%s?bom=%s: %d %s %q\n%.300q", export, bom, p.Status, p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition"), p.Body)
				}
			}
		}
	})
}

// TestAPIExportsFailingAtTheirFirstReadAnswerJSON: an API export whose
// first read of rows fails answers a JSON error (500), not a CSV download
// holding a byte order mark and nothing else.
func TestAPIExportsFailingAtTheirFirstReadAnswerJSON(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixtureOf(t, db, func(deps *web.APIDeps) {
			deps.Reports = closedReports(t, db, deps.Reports.Clock)
		})
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		for _, export := range []string{"/api/v1/exports/activity.csv", "/api/v1/exports/queued-subscribers.csv"} {
			for _, bom := range []string{"1", "0"} {
				a := apiDo(t, f, key, "GET", export+"?bom="+bom, "")
				if a.Status != http.StatusInternalServerError || a.Body["error"] == nil || strings.HasPrefix(a.Raw, report.BOM) {
					t.Errorf("%s?bom=%s: %d %.300q", export, bom, a.Status, a.Raw)
				}
			}
		}
	})
}
