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

func TestOneTimeLinkSignsInOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.browser(t)
		wantStatus(t, b.get("/admin"), http.StatusUnauthorized, "the admin before signing in")

		token, _, err := db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID, Email: "owner@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		// Opening the link (as a mail scanner would) does not use it.
		b.get(web.SignInPath + "?token=" + token)
		b.get(web.SignInPath + "?token=" + token)
		p := b.useLink(token)
		wantStatus(t, p, http.StatusSeeOther, "using the link")
		if c := sessionCookie(p); c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v, want HttpOnly and SameSite=Lax", c)
		}
		home := b.get("/admin")
		wantStatus(t, home, http.StatusOK, "the dashboard after signing in")
		if !strings.Contains(home.Body, "bells.example") || !strings.Contains(home.Body, "owner@example.com") {
			t.Errorf("dashboard does not name the shop and the user:\n%.1500s", home.Body)
		}

		again := f.browser(t).useLink(token)
		wantStatus(t, again, http.StatusUnauthorized, "the same link a second time")
		if !strings.Contains(again.Body, "already used") || sessionCookie(again) != nil {
			t.Fatalf("second use: no session expected and a message saying the link was used:\n%.1500s", again.Body)
		}
	})
}

// TestUsedLinkInASignedInBrowserLeadsToTheAdmin: the same link used
// again in the browser it signed in (Back, then Sign in) is refused as
// used, and the page says the browser is still signed in to its shop
// with a way to its admin; another browser is told nothing of it.
func TestUsedLinkInASignedInBrowserLeadsToTheAdmin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		token, _, err := db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID, Email: "owner@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		b := f.browser(t)
		wantStatus(t, b.useLink(token), http.StatusSeeOther, "using the link")
		again := b.useLink(token)
		wantStatus(t, again, http.StatusUnauthorized, "the same link again in the signed-in browser")
		if text := visibleText(again.Body); !strings.Contains(text, "already used") ||
			!strings.Contains(text, "This browser is still signed in to bells.example") || !strings.Contains(again.Body, `href="/admin"`) {
			t.Errorf("the used link in the signed-in browser does not lead to the admin:\n%s", text)
		}
		other := f.browser(t).useLink(token)
		if strings.Contains(other.Body, "still signed in") || strings.Contains(other.Body, "bells.example") {
			t.Errorf("another browser is told of the session:\n%s", visibleText(other.Body))
		}
	})
}

// TestSignInPageStatesTheLinksLifetime: a one-time link's page says the
// link works within SignInLinkTTL of being made, as the invitation and
// `admin link` do, not for that long from opening it.
func TestSignInPageStatesTheLinksLifetime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		p := newAdminFixture(t, db).browser(t).get(web.SignInPath + "?token=any")
		wantStatus(t, p, http.StatusOK, "a one-time link's page")
		want := "It works once, within " + stockbell.DurationWords(stockbell.SignInLinkTTL) + " of being made."
		if got := visibleText(p.Body); !strings.Contains(got, want) {
			t.Errorf("the sign-in page lacks %q:\n%s", want, got)
		}
	})
}

func TestExpiredAndForgedLinksAreRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		token, _, err := db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(stockbell.SignInLinkTTL + time.Second)
		b := f.browser(t)
		p := b.useLink(token)
		wantStatus(t, p, http.StatusUnauthorized, "an expired link")
		if !strings.Contains(p.Body, "expired") {
			t.Errorf("expired link page:\n%.1500s", p.Body)
		}
		// The refusal states the link's lifetime in words and, on a
		// development server (the start-up log's link opened too late),
		// leads to the start page, which opens the demo shop's admin.
		if want := "it worked for " + stockbell.DurationWords(stockbell.SignInLinkTTL) + " after it was made"; !strings.Contains(p.Body, want) {
			t.Errorf("the expired link's page lacks %q:\n%s", want, visibleText(p.Body))
		}
		if !strings.Contains(p.Body, `the <a href="/">start page</a> opens the demo shop`) {
			t.Errorf("the refused link's page in development does not lead to the start page:\n%s", visibleText(p.Body))
		}
		wantStatus(t, b.get("/admin"), http.StatusUnauthorized, "the admin after an expired link")
		wantStatus(t, b.useLink("made-up-token"), http.StatusUnauthorized, "a made-up token")

		// A sign-in posted without the form's nonce (from another site) is refused.
		fresh, _, _ := db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID})
		p = f.browser(t).post(web.SignInPath, url.Values{"token": {fresh}})
		wantStatus(t, p, http.StatusForbidden, "a sign-in without the form's nonce")
		if _, err := db.UseSignInLink(context.Background(), fresh); err != nil {
			t.Fatalf("the refused post spent the link: %v", err)
		}
	})
}

func TestSessionExpiresAndTamperedCookieIsIgnored(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		b := f.signIn(t, mustShop(t, db, "bells.example"))
		wantStatus(t, b.get("/admin"), http.StatusOK, "a fresh session")

		u, _ := url.Parse(f.url)
		cookies := b.client.Jar.Cookies(u)
		forged := &http.Cookie{Name: web.AdminCookieName, Value: cookies[0].Value[:len(cookies[0].Value)-4] + "AAAA"}
		tampered := f.browser(t)
		tampered.client.Jar.SetCookies(u, []*http.Cookie{forged})
		wantStatus(t, tampered.get("/admin"), http.StatusUnauthorized, "a tampered cookie")

		f.clock.Add(web.AdminSessionTTL)
		wantStatus(t, b.get("/admin"), http.StatusUnauthorized, "a session past its lifetime")
	})
}

func TestSignOutEndsTheSession(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		b := f.signIn(t, mustShop(t, db, "bells.example"))
		home := b.get("/admin")
		out := b.post("/admin/sign-out", url.Values{"csrf_token": {home.csrf(t)}})
		wantStatus(t, out, http.StatusSeeOther, "sign out")
		landing := b.get(out.Header.Get("Location"))
		if text := visibleText(landing.Body); !strings.Contains(text, "You are signed out.") || strings.Contains(text, "session has ended") {
			t.Errorf("the page after signing out says:\n%s", text)
		}
		// Signed in directly, the page offers the ways to sign in below
		// it, and on a development server the start page's demo shop
		// (inside a control panel it says neither: the control panel's
		// frame tests).
		if text := visibleText(landing.Body); !strings.Contains(text, "Sign in again as below.") || !strings.Contains(text, "one-time link") ||
			!strings.Contains(text, "the start page opens the demo shop") {
			t.Errorf("the page after signing out directly does not say how to sign in again:\n%s", text)
		}
		wantStatus(t, b.get("/admin"), http.StatusUnauthorized, "the admin after signing out")
	})
}

func sessionCookie(p page) *http.Cookie {
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == web.AdminCookieName && c.MaxAge >= 0 {
			return c
		}
	}
	return nil
}

// TestExpiredSessionSaysSoAndHowToSignInAgain: a merchant whose session
// ran out (12 hours) opens a page, or saves a form they filled in before
// it ran out. Either answer is the sign-in page, saying that the session
// ended and how to sign in again; the form's answer also says that what
// was sent is not saved, and nothing is.
func TestExpiredSessionSaysSoAndHowToSignInAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		form := b.get("/admin/settings")
		f.clock.Add(web.AdminSessionTTL)

		opened := b.get("/admin/settings")
		wantStatus(t, opened, http.StatusUnauthorized, "a page after the session ended")
		saved := b.post("/admin/settings", url.Values{"csrf_token": {form.csrf(t)}, "settings_version": {"0"},
			"min_inventory": {"7"}, "per_unit": {"2"}, "wait": {"2h"}, "time_zone": {"UTC"}})
		wantStatus(t, saved, http.StatusUnauthorized, "a form sent after the session ended")
		for what, p := range map[string]page{"the page": opened, "the form's answer": saved} {
			text := visibleText(p.Body)
			for _, want := range []string{"Your session has ended", "12 hours", "admin link --shop"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s after the session ended lacks %q:\n%s", what, want, text)
				}
			}
		}
		if text := visibleText(saved.Body); !strings.Contains(text, "was not saved") {
			t.Errorf("the form's answer does not say it was not saved:\n%s", text)
		}
		if settings, err := db.FindSettings(context.Background(), shop.ID); err != nil || settings.MinInventory == 7 {
			t.Errorf("the form sent after the session ended was saved: %+v (%v)", settings, err)
		}
		if text := visibleText(f.browser(t).get("/admin").Body); strings.Contains(text, "session has ended") {
			t.Errorf("a browser that never signed in is told its session ended:\n%s", text)
		}
	})
}

// TestSignOutEndsACopiedSessionToo: signing out ends the session itself,
// not only the cookie in the browser that signed out: a copy of the cookie
// (another browser profile, a cookie lifted from a shared machine) is
// refused from then on, and says the session ended. Another session of
// the same shop stays signed in.
func TestSignOutEndsACopiedSessionToo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b, colleague := f.signIn(t, shop), f.signIn(t, shop)
		u, _ := url.Parse(f.url)
		copied := f.browser(t)
		copied.client.Jar.SetCookies(u, b.client.Jar.Cookies(u))
		home := b.get("/admin")
		wantStatus(t, copied.get("/admin"), http.StatusOK, "the copied cookie before signing out")

		wantStatus(t, b.post("/admin/sign-out", url.Values{"csrf_token": {home.csrf(t)}}), http.StatusSeeOther, "sign out")
		after := copied.get("/admin/settings")
		wantStatus(t, after, http.StatusUnauthorized, "the copied cookie after signing out")
		if text := visibleText(after.Body); !strings.Contains(text, "Your session has ended") {
			t.Errorf("the copied cookie's page after signing out says:\n%s", text)
		}
		wantStatus(t, copied.post("/admin/settings", url.Values{"csrf_token": {home.csrf(t)}, "settings_version": {"0"},
			"min_inventory": {"9"}, "per_unit": {"0"}, "wait": {"1h"}, "time_zone": {"UTC"}}), http.StatusUnauthorized, "a form with the copied cookie")
		if settings, err := db.FindSettings(context.Background(), shop.ID); err != nil || settings.MinInventory == 9 {
			t.Errorf("the copied cookie saved the settings after signing out: %+v (%v)", settings, err)
		}
		wantStatus(t, colleague.get("/admin"), http.StatusOK, "another session of the shop")
	})
}
