package main

import (
	"context"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestUninstalledShopsSignInPageSendsNoOneToAdminLink: a merchant signed
// in with a one-time link whose shop is then disconnected (a feed shop)
// reads, in Chromium, that the session ended with the uninstall and how
// the shop is installed again, and is not sent to ask the operator for a
// one-time link: `admin link` refuses a shop that is not installed.
func TestUninstalledShopsSignInPageSendsNoOneToAdminLink(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	shop := storetest.MustShop(t, m.DB, stockbell.PlatformFeed, "gone-feed.example.com")
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
