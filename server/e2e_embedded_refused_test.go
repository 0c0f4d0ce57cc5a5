package main

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/web"
)

// TestEmbeddedInstallRefusedIsShownNotBounced: when the first embedded
// load's token exchange cannot install the shop with a valid session
// token (Shopify grants too few scopes, refuses the exchange or fails),
// a fresh token would be refused the same way, so the admin shows why
// (401, or 502 while Shopify fails), in a page the Shopify admin may
// frame, instead of sending App Bridge back to
// the bounce page, which would reload the page, exchange again and bounce
// again without end. An in-page request is answered without asking App
// Bridge to retry. Nothing is installed.
func TestEmbeddedInstallRefusedIsShownNotBounced(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	cases := []struct {
		name       string
		setUp      func()
		status     int
		wantInPage string
	}{
		{"a grant without read_inventory", func() { fake.AppScopes = "read_products" }, http.StatusUnauthorized, "read_inventory"},
		{"an exchange Shopify refuses", func() { fake.AppScopes, fake.TokenStatus = "", http.StatusBadRequest }, http.StatusUnauthorized, "Shopify refused"},
		{"Shopify failing", func() { fake.TokenStatus = http.StatusServiceUnavailable }, http.StatusBadGateway, "Shopify"},
	}
	for _, c := range cases {
		c.setUp()
		doc := request(t, http.MethodGet, m.URL()+"/admin?"+embeddedQuery(e2eShop, fake.SessionToken(e2eShop, fake.Secret)), nil)
		if doc.status != c.status || strings.Contains(doc.header.Get("Location"), web.SessionTokenPath) || !strings.Contains(doc.body, c.wantInPage) {
			t.Errorf("%s, document: %d to %q, want %d and a page naming %q\n%.600s", c.name, doc.status, doc.header.Get("Location"), c.status, c.wantInPage, doc.body)
		}
		if csp := doc.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://"+e2eShop+" https://admin.shopify.com") {
			t.Errorf("%s: the page saying why cannot be shown in the Shopify admin's frame: CSP %q", c.name, csp)
		}
		fetch := request(t, http.MethodGet, m.URL()+"/admin/settings", nil,
			"Authorization", "Bearer "+fake.SessionToken(e2eShop, fake.Secret), "Accept", "application/json")
		if fetch.status != c.status || fetch.header.Get(web.RetryInvalidSessionHeader) != "" {
			t.Errorf("%s, in-page request: %d, retry header %q; want %d without it", c.name, fetch.status, fetch.header.Get(web.RetryInvalidSessionHeader), c.status)
		}
	}
	if _, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		t.Fatalf("a refused install stored the shop: %v", err)
	}
}

// TestEmbeddedRefusalsShowInTheShopifyAdminFrame: inside the Shopify admin
// a form sent with a session token the server refuses (expired, say, as
// when the server's clock and Shopify's disagree) is not saved and, as a
// token of another shop than the page names, is answered with a page
// saying so; those pages hold no form and no button and show in the frame
// of the Shopify admin of the shop the request names, instead of a page
// the frame refuses to show.
func TestEmbeddedRefusalsShowInTheShopifyAdminFrame(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	noErr(t, err)
	before, err := m.DB.FindSettings(context.Background(), shop.ID)
	noErr(t, err)
	expired := sessionToken(t, fake, e2eShop, func(c jwt.MapClaims) {
		c["exp"], c["nbf"], c["iat"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-2*time.Hour).Unix()
	})
	refusals := map[string]answer{
		"a form with an expired token": request(t, http.MethodPost, m.URL()+"/admin/settings?"+embeddedQuery(e2eShop, ""),
			url.Values{"id_token": {expired}, "quiet_hours": {"on"}, "quiet_hours_start": {"23:15"}, "quiet_hours_end": {"07:00"}}, "Sec-Fetch-Dest", "iframe"),
		"a form without a token": request(t, http.MethodPost, m.URL()+"/admin/settings?"+embeddedQuery(e2eShop, ""),
			url.Values{"quiet_hours": {"on"}, "quiet_hours_start": {"23:15"}, "quiet_hours_end": {"07:00"}}, "Sec-Fetch-Dest", "iframe"),
		"a page with another shop's token": request(t, http.MethodGet, m.URL()+"/admin/settings?"+embeddedQuery(e2eShop, fake.SessionToken("other-bells.myshopify.com", fake.Secret)), nil,
			"Sec-Fetch-Dest", "iframe"),
	}
	for what, a := range refusals {
		if csp := a.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://"+e2eShop+" https://admin.shopify.com") || a.header.Get("X-Frame-Options") != "" {
			t.Errorf("%s (%d): the page cannot be shown in the Shopify admin's frame: CSP %q, X-Frame-Options %q", what, a.status, csp, a.header.Get("X-Frame-Options"))
		}
		if a.status < 400 || strings.Contains(a.body, "<form") || strings.Contains(a.body, "<button") || !strings.Contains(a.body, "Open Stockbell again from your Shopify admin") {
			t.Errorf("%s: %d, want a refusal with no form or button saying to open Stockbell again:\n%.1500s", what, a.status, a.body)
		}
	}
	for _, what := range []string{"a form with an expired token", "a form without a token"} {
		if !strings.Contains(refusals[what].body, "What you sent was not saved") {
			t.Errorf("%s: the page does not say that what was sent was not saved:\n%.1500s", what, refusals[what].body)
		}
	}
	if after, err := m.DB.FindSettings(context.Background(), shop.ID); err != nil || after.QuietHoursStart != before.QuietHoursStart || after.QuietHours != before.QuietHours {
		t.Errorf("a refused form changed the settings: %+v, %v", after, err)
	}
	if other := refusals["a page with another shop's token"]; other.status != http.StatusForbidden || strings.Contains(other.body, "quiet_hours") {
		t.Errorf("another shop's token shows this shop's settings: %d\n%.1500s", other.status, other.body)
	}
	// A shop name that is not a Shopify shop frames nothing.
	odd := request(t, http.MethodPost, m.URL()+"/admin/settings?"+embeddedQuery("evil.example", ""), url.Values{"id_token": {expired}})
	if odd.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("a refusal naming %q may be framed: CSP %q", "evil.example", odd.header.Get("Content-Security-Policy"))
	}
}
