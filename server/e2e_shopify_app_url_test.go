package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestShopifyOpensTheAppURLOutsideItsAdmin: Shopify sends a merchant to
// the app's URL (application_url, /admin) with its signed query outside
// its admin's frame: to install the app by the authorization-code grant,
// and to open it where it cannot frame it. A shop Stockbell does not know
// is installed from there (the merchant approves and lands on the app in
// the Shopify admin); an installed shop is sent there too,
// which opens it there with a session token. Neither is told to sign in
// or to ask an operator for a one-time link. A query whose signature is
// wrong still gets the sign-in page.
func TestShopifyOpensTheAppURLOutsideItsAdmin(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	host := url.Values{"host": {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZTJl"}}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: stopAtTheShopifyAdmin}
	resp, err := browser.Get(m.URL() + "/admin?" + fake.SignedQuery(e2eShop, host).Encode())
	noErr(t, err)
	resp.Body.Close()
	want, _ := stockbell.ShopifyEmbeddedAppURL(e2eShop, fake.APIKey, "/admin")
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want || err != nil || !shop.Active() {
		t.Fatalf("Shopify's install at the app's URL ended at %s with %d, to %q (shop %+v, %v)", resp.Request.URL, resp.StatusCode, resp.Header.Get("Location"), shop, err)
	}

	opened := request(t, http.MethodGet, m.URL()+"/admin?"+fake.SignedQuery(e2eShop, host).Encode(), nil, "Accept", "text/html")
	if opened.status != http.StatusFound || opened.header.Get("Location") != want {
		t.Fatalf("the app's URL opened by Shopify for an installed shop answers %d, to %q:\n%.500s", opened.status, opened.header.Get("Location"), opened.body)
	}
	frame, err := fake.OpenAppLink(want, m.Config.PublicURL+"/admin")
	noErr(t, err)
	if in := request(t, http.MethodGet, frame, nil, "Accept", "text/html"); in.status != http.StatusOK || !strings.Contains(in.body, "Dashboard") {
		t.Errorf("the app in the Shopify admin's frame answers %d:\n%.500s", in.status, in.body)
	}

	forged := fake.SignedQuery(e2eShop, host)
	forged.Set("hmac", strings.Repeat("0", 64))
	if page := request(t, http.MethodGet, m.URL()+"/admin?"+forged.Encode(), nil, "Accept", "text/html"); page.status == http.StatusFound ||
		!strings.Contains(page.body, "Sign in to Stockbell") {
		t.Errorf("the app's URL with a forged signature answers %d, to %q", page.status, page.header.Get("Location"))
	}
}
