package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// controlPanelsPolicy is the frame-ancestors of a page any BigCommerce
// control panel, and the admin (a preview's frame), may frame.
const controlPanelsPolicy = "frame-ancestors 'self' https://*.mybigcommerce.com https://*.bigcommerce.com"

// TestBigCommerceSessionExpiredInTheControlPanel: a control panel's tab
// left open past the session's 12 hours. The next click in the app's
// frame (a frame navigation, Sec-Fetch-Dest: iframe) finds no session:
// it is answered a page with no form and no button, which BigCommerce's
// control panels may frame (the cookie that named the store is gone, as a
// refused callback names none), saying the session ended and to open
// Stockbell again from the control panel; a form sent then is not saved.
// The same request as a tab's page, and a page with a form (a one-time
// link's sign-in), are never framed.
func TestBigCommerceSessionExpiredInTheControlPanel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		f.ownerInstalls(t)
		clerk := f.clerkLoads(t)
		settings := clerk.get("/admin/settings")
		shop, err := db.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/"+bcStore)
		if err != nil {
			t.Fatal(err)
		}
		before, err := db.FindSettings(ctx, shop.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(web.AdminSessionTTL + time.Minute)

		frameable := func(what string, p page, wantSaid ...string) {
			t.Helper()
			csp, said := p.Header.Get("Content-Security-Policy"), visibleText(p.Body)
			if p.Status != http.StatusUnauthorized || !strings.Contains(csp, controlPanelsPolicy) || p.Header.Get("X-Frame-Options") != "" {
				t.Errorf("%s: %d, CSP %q, X-Frame-Options %q; want 401 framed by the control panels", what, p.Status, csp, p.Header.Get("X-Frame-Options"))
			}
			if strings.Contains(p.Body, "<form") || strings.Contains(p.Body, "<button") {
				t.Errorf("%s: the page the control panels may frame holds a form or a button:\n%s", what, p.Body)
			}
			for _, want := range append(wantSaid, "Your session has ended", "Open Stockbell again from your store's control panel") {
				if !strings.Contains(said, want) {
					t.Errorf("%s: the page does not say %q:\n%s", what, want, said)
				}
			}
		}
		frameable("the next page in the frame", clerk.get("/admin/settings", "Sec-Fetch-Dest", "iframe"))
		sent := clerk.post("/admin/settings", url.Values{"csrf_token": {settings.csrf(t)}, "quiet_hours": {"on"},
			"quiet_hours_start": {"23:15"}, "quiet_hours_end": {"07:00"}}, "Sec-Fetch-Dest", "iframe")
		frameable("a form sent in the frame", sent, "What you sent was not saved")
		if after, err := db.FindSettings(ctx, shop.ID); err != nil || after.QuietHoursStart != before.QuietHoursStart || after.QuietHours != before.QuietHours {
			t.Errorf("a form sent without a session changed the settings: %+v, %v", after, err)
		}
		stranger := (&adminFixture{url: f.url}).browser(t)
		frameable("a frame without any cookie", stranger.get("/admin", "Sec-Fetch-Dest", "iframe"))

		for what, p := range map[string]page{
			"the same page in a tab":            clerk.get("/admin/settings", "Sec-Fetch-Dest", "document"),
			"the same page without fetch data":  clerk.get("/admin/settings"),
			"a one-time link's form in a frame": clerk.get(web.SignInPath+"?token=abc", "Sec-Fetch-Dest", "iframe"),
			"the signed-out page in a frame":    stranger.get(web.SignInPath+"?signed_out=1", "Sec-Fetch-Dest", "iframe"),
		} {
			if p.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s may be framed: %d, CSP %q", what, p.Status, p.Header.Get("Content-Security-Policy"))
			}
		}
	})
}
