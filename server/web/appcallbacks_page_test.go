package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestBigCommerceLoadOpensThePageAsked: the load payload's url names the
// page of the app the control panel asks for ("/" its home, an App
// Extension's url such as /products/123). A page of the admin (a GET
// route of this server under /admin, written with or without the /admin
// prefix) opens with its query; anything else (a page this server does not
// serve, such as the development Outbox) opens the admin's home, never
// another site however written.
func TestBigCommerceLoadOpensThePageAsked(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		f.ownerInstalls(t)
		load := func(set func(jwt.MapClaims)) string {
			claims := f.fake.Claims(bcStore, bcClerk)
			set(claims)
			return "/auth/bigcommerce/load?" + url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(claims, f.fake.ClientSecret)}}.Encode()
		}
		for asked, want := range map[string]string{
			"/":                                "/admin",
			"":                                 "/admin",
			"/settings":                        "/admin/settings",
			"/flow":                            "/admin/flow",
			"/sync-log?kind=failed":            "/admin/sync-log?kind=failed",
			"/products?page=2":                 "/admin/products?page=2",
			"/admin/subscribers?status=queued": "/admin/subscribers?status=queued",
			"/outbox":                          "/admin",
			"/static/admin.css":                "/admin",
			"/products/123":                    "/admin",
			"/admin/sign-out":                  "/admin",
			"/admin/sign-in?token=x":           "/admin",
			"//evil.example/admin":             "/admin",
			"https://evil.example/admin":       "/admin",
			"/\\evil.example":                  "/admin",
			"/admin/../auth/bigcommerce/load":  "/admin",
			"settings":                         "/admin",
		} {
			clerk := (&adminFixture{url: f.url}).browser(t)
			p := clerk.do(http.MethodGet, load(func(c jwt.MapClaims) { c["url"] = asked }), nil)
			if p.Status != http.StatusFound || p.Header.Get("Location") != want {
				t.Errorf("url %q: load answered %d to %q, want %q", asked, p.Status, p.Header.Get("Location"), want)
				continue
			}
			if page := clerk.do(http.MethodGet, want, nil); page.Status != http.StatusOK || !strings.Contains(page.Body, bcClerk.Email) {
				t.Errorf("url %q: %s answered %d", asked, want, page.Status)
			}
		}
		clerk := (&adminFixture{url: f.url}).browser(t)
		if p := clerk.do(http.MethodGet, load(func(c jwt.MapClaims) { delete(c, "url") }), nil); p.Header.Get("Location") != "/admin" {
			t.Errorf("no url: load led to %q", p.Header.Get("Location"))
		}

		// Tenancy: a url naming another shop's subscriber opens a page
		// that, for this store's session, does not exist.
		other := newWaitingShop(t, &adminFixture{db: f.db, clock: f.clock, url: f.url})
		page := "/subscribers/" + strconv.FormatInt(other.otherSub.ID, 10)
		if p := clerk.do(http.MethodGet, load(func(c jwt.MapClaims) { c["url"] = page }), nil); p.Header.Get("Location") != "/admin"+page {
			t.Fatalf("url %q: load led to %q", page, p.Header.Get("Location"))
		}
		if p := clerk.do(http.MethodGet, "/admin"+page, nil); p.Status != http.StatusNotFound || strings.Contains(p.Body, "someone@other.example") {
			t.Errorf("another shop's subscriber, opened by a load's url: %d", p.Status)
		}
	})
}

// TestBigCommerceRefusalShowsInTheControlPanel: a refused load or install
// is answered inside the control panel's iframe, so its page (which holds
// no form or button) may be framed by BigCommerce's control panels: the
// merchant reads why instead of a frame the browser refused to show.
func TestBigCommerceRefusalShowsInTheControlPanel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		b := (&adminFixture{url: f.url}).browser(t)
		forged := url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(f.fake.Claims(bcStore, bcClerk), "forged")}}.Encode()
		badCode := url.Values{"code": {"nope"}, "context": {"stores/" + bcStore}, "scope": {"store_v2_products_read_only"}}.Encode()
		for _, path := range []string{"/auth/bigcommerce/load?" + forged, "/auth/bigcommerce/callback?" + badCode} {
			p := b.do(http.MethodGet, path, nil)
			csp := p.Header.Get("Content-Security-Policy")
			if p.Status != http.StatusUnauthorized || !strings.Contains(csp, "frame-ancestors https://*.mybigcommerce.com https://*.bigcommerce.com") ||
				p.Header.Get("X-Frame-Options") != "" {
				t.Errorf("%s answered %d, CSP %q, X-Frame-Options %q", path[:24], p.Status, csp, p.Header.Get("X-Frame-Options"))
			}
			if !strings.Contains(p.Body, "Open Stockbell again from your BigCommerce") ||
				(strings.Contains(path, "load") && !strings.Contains(p.Body, "is not signed with this app")) {
				t.Errorf("%s: the page does not say what to do:\n%s", path[:24], p.Body)
			}
		}
		// Other public pages stay unframeable.
		if p := b.do(http.MethodGet, "/admin", nil); p.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("the sign-in page may be framed: %q", p.Header.Get("Content-Security-Policy"))
		}
	})
}

// TestBigCommerceServerCallbacksRefuseInJSON: BigCommerce's servers call
// uninstall and remove_user and read JSON; a refused payload is answered
// 401 with the error's JSON, naming what is wrong, and changes nothing.
func TestBigCommerceServerCallbacksRefuseInJSON(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		b := (&adminFixture{url: f.url}).browser(t)
		b.do(http.MethodGet, "/auth/bigcommerce/callback?"+f.fake.Authorize(bcStore, bcOwner, "store_v2_products_read_only").Encode(), nil)
		expired := url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(f.fake.Expired(bcStore, bcClerk), f.fake.ClientSecret)}}.Encode()
		for _, step := range []string{"uninstall", "remove_user"} {
			p := b.do(http.MethodGet, "/auth/bigcommerce/"+step+"?"+expired, nil)
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			json.Unmarshal([]byte(p.Body), &body)
			if p.Status != http.StatusUnauthorized || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") ||
				body.Error.Code != "unauthorized" || !strings.Contains(body.Error.Message, "has expired") {
				t.Errorf("%s with an expired payload answered %d %q: %s", step, p.Status, p.Header.Get("Content-Type"), p.Body)
			}
		}
		shop, err := db.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/"+bcStore)
		if err != nil || !shop.Active() {
			t.Fatalf("after refused callbacks: %+v, %v", shop, err)
		}
		if _, err := db.FindShopUser(ctx, shop.ID, "9128"); err != nil {
			t.Errorf("the owner's access after refused callbacks: %v", err)
		}
	})
}
