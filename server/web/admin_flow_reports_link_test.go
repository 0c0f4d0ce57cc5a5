package web_test

import (
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFlowPageLinksToReports: the Flow page links to Reports, where what
// the flow's messages did is counted (as Klaviyo's back-in-stock delay
// links to its report).
func TestFlowPageLinksToReports(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		flow := f.signIn(t, w.shop).get("/admin/flow")
		_, content, _ := strings.Cut(flow.Body, "<h1>Flow</h1>") // past the navigation, which links every page
		if !strings.Contains(content, `href="/admin/reports"`) {
			t.Fatalf("the Flow page's content has no link to Reports:\n%.2000s", visibleText(content))
		}
		reports := f.signIn(t, w.shop).get("/admin/reports")
		wantStatus(t, reports, 200, "the Reports page the Flow page links to")
	})
}
