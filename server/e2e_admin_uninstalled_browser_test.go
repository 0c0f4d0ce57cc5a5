package main

import (
	"context"
	"net"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestUninstalledShopsSignInPageSendsNoOneToAdminLink: a merchant signed
// in with a one-time link whose shop is then disconnected (a PrestaShop
// shop) reads, in Chromium, that the session ended with the uninstall and how
// the shop is installed again, and is not sent to ask the operator for a
// one-time link: `admin link` refuses a shop that is not installed.
func TestUninstalledShopsSignInPageSendsNoOneToAdminLink(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	shop := storetest.MustShop(t, m.DB, stockbell.PlatformPrestaShop, "gone-prestashop.example.com")
	token, _, err := m.DB.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID})
	noErr(t, err)
	browse(t, ctx, web.SignInURL(m.URL(), token), `form[action="/admin/sign-in"] button`)
	clickAndWait(t, ctx, `form[action="/admin/sign-in"] button`, "main h1")
	noErr(t, m.DB.UninstallShop(context.Background(), shop.ID))
	browse(t, ctx, m.URL()+"/admin/settings", "main h1")
	page := text(t, ctx, "main")
	if !strings.Contains(page, "Stockbell was uninstalled from your shop") {
		t.Fatalf("the page after the uninstall does not say the session ended with it:\n%s", page)
	}
	if strings.Contains(page, "admin link") || strings.Contains(page, "one-time link") {
		t.Errorf("the uninstalled shop's sign-in page sends the merchant to a one-time link, which admin link refuses:\n%s", page)
	}
	for _, want := range []string{"Install Stockbell on your shop again", "shop add"} {
		if !strings.Contains(page, want) {
			t.Errorf("the uninstalled shop's sign-in page does not say %q:\n%s", want, page)
		}
	}
}

// TestDisconnectedFeedShopsSignInPageSaysHowItComesBack: the merchant of
// a catalog feed, signed in with a one-time link, whose operator then runs
// `shop disconnect`, reads in Chromium that the operator disconnected the
// shop's feed and the command that connects it again, naming the shop's
// domain, and is not sent to a platform's admin it does not have, nor told
// Stockbell was uninstalled from a platform. On each database.
func TestDisconnectedFeedShopsSignInPageSaysHowItComesBack(t *testing.T) {
	host := feedtest.NewServer()
	t.Cleanup(host.Close)
	host.Set("/catalog.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(3, 1))})
	const domain = "left-feed.example.com"
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			noErr(t, err)
			addr := ln.Addr().String()
			getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL, "STOCKBELL_ADDR": addr, "STOCKBELL_PUBLIC_URL": "http://" + addr})
			m := startServerOn(t, ln, getenv)
			if code, _, stderr := run(t, getenv, "shop", "add", "--platform", "feed", "--domain", domain, "--feed-url", host.URL("/catalog.json")); code != 0 {
				t.Fatalf("shop add: %s", stderr)
			}
			code, stdout, stderr := run(t, getenv, "admin", "link", "--shop", domain)
			link := regexp.MustCompile(`http\S+/admin/sign-in\?token=\S+`).FindString(stdout)
			if code != 0 || link == "" {
				t.Fatalf("admin link: exit %d, %q %q", code, stdout, stderr)
			}
			ctx := browsertest.New(t)
			browse(t, ctx, link, `form[action="/admin/sign-in"] button`)
			clickAndWait(t, ctx, `form[action="/admin/sign-in"] button`, "main h1")
			if code, _, stderr := run(t, getenv, "shop", "disconnect", "--shop", domain); code != 0 {
				t.Fatalf("shop disconnect: %s", stderr)
			}
			browse(t, ctx, m.URL()+"/admin/sync-log", "main h1")
			page := text(t, ctx, "main")
			for _, want := range []string{"Your session has ended: your operator disconnected this shop's catalog feed from Stockbell.",
				"go run ./server shop add --platform feed --domain " + domain + " --feed-url URL"} {
				if !strings.Contains(page, want) {
					t.Errorf("the disconnected feed shop's sign-in page does not say %q:\n%s", want, page)
				}
			}
			for _, wrong := range []string{"uninstalled", "Shopify", "BigCommerce", "Magento", "PrestaShop"} {
				if strings.Contains(page, wrong) {
					t.Errorf("the disconnected feed shop's sign-in page says %q, which is not its case:\n%s", wrong, page)
				}
			}
		})
	}
}
