package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestUninstallEndsCookieSessions: once a shop is uninstalled, the open
// cookie sessions of its admin end at once, whatever door opened them,
// rather than when their cookie expires 12 hours later: pages, forms and
// in-page requests are answered as for a visitor without a session, the
// sign-in page saying why. Another shop's session goes on.
func TestUninstallEndsCookieSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := storetest.MustShop(t, db, stockbell.PlatformShopify, "gone-shop.myshopify.com")
		other := storetest.MustShop(t, db, stockbell.PlatformShopify, "kept-shop.myshopify.com")
		b, theirs := f.signIn(t, shop), f.signIn(t, other)
		settings := b.get("/admin/settings")
		wantStatus(t, settings, http.StatusOK, "the settings page before the uninstall")
		if err := db.UninstallShop(context.Background(), shop.ID); err != nil {
			t.Fatal(err)
		}
		home := b.get("/admin")
		wantStatus(t, home, http.StatusUnauthorized, "the uninstalled shop's open session")
		if text := visibleText(home.Body); !strings.Contains(text, "Your session has ended: Stockbell was uninstalled from your shop.") {
			t.Errorf("the sign-in page does not say why the session ended:\n%.1500s", text)
		}
		wantStatus(t, b.get("/admin/subscribers"), http.StatusUnauthorized, "the subscribers page")
		wantStatus(t, b.post("/admin/settings", url.Values{"csrf_token": {settings.csrf(t)}}), http.StatusUnauthorized, "a settings form")
		wantStatus(t, b.get("/admin/subscribers", "Accept", "application/json"), http.StatusUnauthorized, "an in-page request")
		if p := b.get("/admin/no-such-page"); strings.Contains(p.Body, "gone-shop.myshopify.com") {
			t.Errorf("a missing page is shown inside the uninstalled shop's admin:\n%.1500s", p.Body)
		}
		wantStatus(t, theirs.get("/admin"), http.StatusOK, "another shop's session")
	})
}
