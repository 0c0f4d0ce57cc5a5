package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestBigCommerceRemovalEndsOpenSessions: a session a load callback
// opened lasts only while BigCommerce grants its user the app. Removing
// the user ends that user's open session (the owner's goes on), and
// uninstalling the app, which erases every user's access, ends the
// owner's too: neither waits 12 hours for the cookie to expire.
func TestBigCommerceRemovalEndsOpenSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		owner := f.ownerInstalls(t)
		clerk := f.clerkLoads(t)
		if home := clerk.do(http.MethodGet, "/admin", nil); home.Status != http.StatusOK || !strings.Contains(home.Body, bcClerk.Email) {
			t.Fatalf("the clerk's admin answered %d", home.Status)
		}
		f.clock.Add(time.Minute)
		if p := owner.do(http.MethodGet, "/auth/bigcommerce/remove_user?"+f.jwt(bcClerk), nil); p.Status != http.StatusOK {
			t.Fatalf("remove_user answered %d: %s", p.Status, p.Body)
		}
		if home := clerk.do(http.MethodGet, "/admin", nil); home.Status != http.StatusUnauthorized {
			t.Errorf("the removed clerk's open session: the admin answered %d, want 401", home.Status)
		}
		if p := clerk.do(http.MethodGet, "/admin/subscribers", nil); p.Status != http.StatusUnauthorized {
			t.Errorf("the removed clerk's open session: the subscribers page answered %d, want 401", p.Status)
		}
		if home := owner.do(http.MethodGet, "/admin", nil); home.Status != http.StatusOK {
			t.Fatalf("the owner's session after the clerk's removal: %d", home.Status)
		}
		if p := owner.do(http.MethodGet, "/auth/bigcommerce/uninstall?"+f.uninstall(), nil); p.Status != http.StatusOK {
			t.Fatalf("uninstall answered %d: %s", p.Status, p.Body)
		}
		if home := owner.do(http.MethodGet, "/admin", nil); home.Status != http.StatusUnauthorized {
			t.Errorf("the owner's open session after uninstall: the admin answered %d, want 401", home.Status)
		}
	})
}

// TestBigCommerceRemovedUserSeesWhyInTheControlPanel: the next page of a
// removed user's session is the sign-in page inside the control panel's
// iframe, so the page may be framed by that store's control panel (and
// no other) and says that the user's access was removed; a sign-in page
// for a browser without such a session stays unframeable.
func TestBigCommerceRemovedUserSeesWhyInTheControlPanel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		owner := f.ownerInstalls(t)
		clerk := f.clerkLoads(t)
		f.clock.Add(time.Minute)
		if p := owner.do(http.MethodGet, "/auth/bigcommerce/remove_user?"+f.jwt(bcClerk), nil); p.Status != http.StatusOK {
			t.Fatalf("remove_user answered %d: %s", p.Status, p.Body)
		}
		p := clerk.do(http.MethodGet, "/admin/settings", nil)
		csp := p.Header.Get("Content-Security-Policy")
		if p.Status != http.StatusUnauthorized || !strings.Contains(csp, "frame-ancestors https://store-"+bcStore+".mybigcommerce.com https://*.bigcommerce.com") ||
			p.Header.Get("X-Frame-Options") != "" {
			t.Errorf("the removed clerk's next page: %d, CSP %q, X-Frame-Options %q", p.Status, csp, p.Header.Get("X-Frame-Options"))
		}
		if !strings.Contains(p.Body, "removed your access to Stockbell") || strings.Contains(p.Body, "Sign out") {
			t.Errorf("the removed clerk's next page does not say why:\n%s", p.Body)
		}
		if home := owner.do(http.MethodGet, "/admin", nil); home.Status != http.StatusOK {
			t.Fatalf("the owner's session after the clerk's removal: %d", home.Status)
		}
		stranger := (&adminFixture{url: f.url}).browser(t)
		if p := stranger.do(http.MethodGet, "/admin/settings", nil); p.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("a sign-in page without a session may be framed: %q", p.Header.Get("Content-Security-Policy"))
		}
	})
}

// TestBigCommerceSignOutInTheControlPanel: Sign out pressed inside the
// control panel's iframe answers the signed-out page there (framed by that
// store's control panel only), rather than a redirect to a sign-in page
// the frame would refuse to show; the session has ended.
func TestBigCommerceSignOutInTheControlPanel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		owner := f.ownerInstalls(t)
		clerk := (&adminFixture{url: f.url}).browser(t)
		clerk.do(http.MethodGet, "/auth/bigcommerce/load?"+f.jwt(bcClerk), nil)
		home := clerk.do(http.MethodGet, "/admin", nil)
		p := clerk.post("/admin/sign-out", url.Values{"csrf_token": {home.csrf(t)}})
		if p.Status == http.StatusSeeOther {
			p = clerk.do(http.MethodGet, p.Header.Get("Location"), nil)
		}
		csp := p.Header.Get("Content-Security-Policy")
		if p.Status != http.StatusOK || !strings.Contains(visibleText(p.Body), "You are signed out.") ||
			!strings.Contains(csp, "frame-ancestors https://store-"+bcStore+".mybigcommerce.com https://*.bigcommerce.com") || p.Header.Get("X-Frame-Options") != "" {
			t.Errorf("signing out in the control panel: %d, CSP %q, X-Frame-Options %q:\n%s", p.Status, csp, p.Header.Get("X-Frame-Options"), visibleText(p.Body))
		}
		if home := clerk.do(http.MethodGet, "/admin", nil); home.Status != http.StatusUnauthorized {
			t.Errorf("the admin after signing out answered %d", home.Status)
		}
		if home := owner.do(http.MethodGet, "/admin", nil); home.Status != http.StatusOK {
			t.Errorf("the owner's session after the clerk signed out: %d", home.Status)
		}
	})
}

// TestBigCommerceFlowPreviewShowsInTheControlPanel: the Flow page shows a
// message's preview in a frame of its own, inside the control panel's
// frame; frame-ancestors holds for every ancestor, so the preview may be
// framed by the admin and by the session's control panel (and no other).
func TestBigCommerceFlowPreviewShowsInTheControlPanel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		owner := f.ownerInstalls(t)
		p := owner.do(http.MethodGet, "/admin/flow/preview?step=1", nil)
		csp := p.Header.Get("Content-Security-Policy")
		if p.Status != http.StatusOK || !strings.Contains(csp, "frame-ancestors 'self' https://store-"+bcStore+".mybigcommerce.com https://*.bigcommerce.com") {
			t.Errorf("the preview in the control panel: %d, CSP %q", p.Status, csp)
		}
		if !strings.Contains(csp, "sandbox") {
			t.Errorf("the preview is not sandboxed: %q", csp)
		}
	})
}
