package main

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestShopifyInstallEndsInTheShopifyAdmin plays a merchant installing the
// app by the authorization-code grant in Chromium, from the install link
// through Shopify's authorize page (the fake approves) to the callback:
// the merchant lands on the app in the Shopify admin
// (admin.shopify.com/store/{store}/apps/{client id}/admin), whose frame
// shows the shop's dashboard, signed in by session token; the server set
// no cookie session for it; and the install's catalog sync and webhook
// registration ran.
func TestShopifyInstallEndsInTheShopifyAdmin(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	start := m.URL() + "/auth/shopify?" + fake.SignedQuery(e2eShop, url.Values{}).Encode()
	inAdmin, ok := stockbell.ShopifyEmbeddedAppURL(e2eShop, fake.APIKey, "/admin")
	if !ok || inAdmin != "https://"+shopifytest.AdminHost+"/store/e2e-bells/apps/"+fake.APIKey+"/admin" {
		t.Fatalf("the app in the Shopify admin: %q", inAdmin)
	}
	ctx := browsertest.New(t)
	frame := inShopifyAdminFrom(t, ctx, m, fake, start, inAdmin, nil)
	waitAcrossPages(t, frame, `document.body !== null && !document.body.dataset.left &&
		document.querySelector("main h1")?.textContent === "Dashboard" &&
		document.querySelector(".shop-name")?.title === "`+e2eShop+`"`)
	var cookies []*network.Cookie
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) (err error) {
		got, err := cdp.Call(ctx, target, network.GetCookies, network.GetCookiesParams{URLs: []string{m.URL() + "/admin"}})
		if err == nil {
			cookies = got.Cookies
		}
		return err
	}))
	for _, c := range cookies {
		if c.Name == web.AdminCookieName {
			t.Errorf("the install left a cookie session on the server (%s), which the Shopify admin's frame never sends", c.Name)
		}
	}

	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	noErr(t, err)
	eventually(t, m, "the install's catalog sync", func() bool {
		_, err := m.DB.FindVariant(context.Background(), shop.ID, "642667041472713922")
		return err == nil
	})
	eventually(t, m, "the install's webhook registration", func() bool {
		registered := 0
		fake.Do(e2eShop, func(s *shopifytest.Shop) { registered = len(s.Webhooks) })
		return registered > 0
	})
}
