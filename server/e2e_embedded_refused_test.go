package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

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
