package web_test

import (
	"context"
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

// reportsOfTheWeek is the page a BigCommerce merchant's report email links
// to: Reports on the report's days, on the server's own URL.
const reportsOfTheWeek = "/admin/reports?from=2025-01-27&to=2025-02-02"

// TestOneTimeLinkReturnsToThePageFirstAsked: a merchant who opens a page
// of the admin signed out (a BigCommerce merchant's report email link: no
// deep link into an app there) and then signs in with a one-time link in
// that browser within the hour lands on that page, once; later, another
// browser, a page asked by a form or in-page request, and the admin's home
// land on the dashboard.
func TestOneTimeLinkReturnsToThePageFirstAsked(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := storetest.MustShop(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		b := f.browser(t)
		wantStatus(t, b.get(reportsOfTheWeek), http.StatusUnauthorized, "Reports signed out")
		p := b.useLink(newSignInLink(t, db, shop))
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != reportsOfTheWeek {
			t.Fatalf("signing in after asking for Reports: %d to %q, want %s", p.Status, p.Header.Get("Location"), reportsOfTheWeek)
		}
		if page := b.get(reportsOfTheWeek); page.Status != http.StatusOK || !strings.Contains(page.Body, `name="from" value="2025-01-27"`) {
			t.Fatalf("Reports after signing in: %d\n%.1500s", page.Status, page.Body)
		}
		if again := b.useLink(newSignInLink(t, db, shop)); again.Header.Get("Location") != "/admin?notice=signed_in" {
			t.Errorf("a second sign-in in that browser returns to %q, want the dashboard: the page is remembered once", again.Header.Get("Location"))
		}
		late := f.browser(t)
		late.get(reportsOfTheWeek)
		f.clock.Add(time.Hour + time.Second)
		if p := late.useLink(newSignInLink(t, db, shop)); p.Header.Get("Location") != "/admin?notice=signed_in" {
			t.Errorf("a sign-in over an hour after asking for Reports leads to %q, want the dashboard", p.Header.Get("Location"))
		}
		for what, ask := range map[string]func(*browser){
			"another browser":    func(*browser) {},
			"a form":             func(b *browser) { b.post("/admin/settings", url.Values{"wait": {"1"}}) },
			"an in-page request": func(b *browser) { b.get(reportsOfTheWeek, "Accept", "application/json") },
			"the admin's home":   func(b *browser) { b.get("/admin") },
		} {
			other := f.browser(t)
			ask(other)
			if p := other.useLink(newSignInLink(t, db, shop)); p.Header.Get("Location") != "/admin?notice=signed_in" {
				t.Errorf("after %s, signing in leads to %q, want the dashboard", what, p.Header.Get("Location"))
			}
		}
	})
}

// TestSignInReturnsOnlyToAnAdminPageOfThisServer: a remembered page that
// is not an admin page of this server (another site, however written, or
// a page outside the admin) is not followed; a cookie another site wrote
// is not read at all.
func TestSignInReturnsOnlyToAnAdminPageOfThisServer(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newAdminFixture(t, db)
	shop := storetest.MustShop(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
	for _, asked := range []string{"/admin//evil.example", "/admin/\\evil.example", "/admin/%0a/evil.example", "/admin/sign-in?token=x"} {
		b := f.browser(t)
		b.get(asked)
		if p := b.useLink(newSignInLink(t, db, shop)); p.Header.Get("Location") != "/admin?notice=signed_in" {
			t.Errorf("after asking for %q, signing in leads to %q, want the dashboard", asked, p.Header.Get("Location"))
		}
	}
	b := f.browser(t)
	asked := b.get(reportsOfTheWeek)
	var name string
	for _, c := range (&http.Response{Header: asked.Header}).Cookies() {
		if c.Path == web.SignInPath && c.HttpOnly && c.SameSite == http.SameSiteLaxMode {
			name = c.Name
		}
	}
	if name == "" {
		t.Fatalf("the signed-out page set no HttpOnly, Lax cookie for the sign-in page: %q", asked.Header.Values("Set-Cookie"))
	}
	forged := f.browser(t)
	base, _ := url.Parse(f.url + web.SignInPath)
	forged.client.Jar.SetCookies(base, []*http.Cookie{{Name: name, Value: "https://evil.example/admin", Path: web.SignInPath}})
	if p := forged.useLink(newSignInLink(t, db, shop)); p.Header.Get("Location") != "/admin?notice=signed_in" {
		t.Errorf("a forged cookie leads the sign-in to %q, want the dashboard", p.Header.Get("Location"))
	}
}

func newSignInLink(t *testing.T, db *store.DB, shop *stockbell.Shop) string {
	t.Helper()
	token, _, err := db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID, Email: "owner@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return token
}
