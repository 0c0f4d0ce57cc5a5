package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// shopifyFrameWidths are the widths the Shopify admin gives an embedded
// app's frame: the whole screen on a phone (360 px), and beside the
// admin's 240 px menu, which it shows from a 768 px window, on a tablet
// or a small laptop (528 px at 768, 784 px at 1024) and a laptop (1040 px
// at 1280).
var shopifyFrameWidths = []string{"360px", "528px", "784px", "1040px"}

// shopifyAppLink is the Shopify admin's address of a page of the app.
func shopifyAppLink(fake *shopifytest.Fake, path string) string {
	return "https://" + shopifytest.AdminHost + "/store/" + strings.TrimSuffix(e2eShop, ".myshopify.com") + "/apps/" + fake.APIKey + path
}

// TestShopifyAdminFitsTheShopifyAdminsFrame: with shoppers waiting, one
// of them with a long address, every page of the menu and a subscriber's
// page, at every width the Shopify admin gives the app's frame, neither
// scrolls sideways nor has a table scrolling sideways in its box; and no
// page links to another site in the frame, which would leave the Shopify
// admin showing that site where Stockbell was (Shopify documents a new
// tab, target _blank, or the whole window, target _top).
func TestShopifyAdminFitsTheShopifyAdminsFrame(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	shop, _ := privacyShopper(t, m)
	long := waitingShopper(t, m, shop, "christopher.montgomery@bellscustomers.example.com")

	ctx := browsertest.New(t)
	frame := inShopifyAdmin(t, ctx, m, fake, shopifyAppLink(fake, "/admin"))
	waitForServer(t, frame, `document.querySelector("nav.menu [aria-current=page]") !== null`)
	pages := browsertest.Eval[[]string](t, frame, `[...document.querySelectorAll("nav.menu a[href]")].map((a) => a.getAttribute("href"))`)
	pages = append(pages, fmt.Sprintf("/admin/subscribers/%d?", long.ID))
	for _, width := range shopifyFrameWidths {
		browsertest.Eval[bool](t, ctx, `(document.querySelector("#app").style.width = "`+width+`", true)`)
		for _, page := range pages {
			path, _, _ := strings.Cut(page, "?")
			browsertest.Eval[bool](t, frame, fmt.Sprintf(`(document.body.dataset.left = "1", location.assign(%q), true)`,
				path+"?"+embeddedQuery(e2eShop, sessionToken(t, fake, e2eShop, nil))))
			waitAcrossPages(t, frame, `document.body !== null && !document.body.dataset.left && document.querySelector("main h1") !== null`)
			browsertest.Eval[bool](t, frame, `(document.querySelectorAll("main details").forEach((d) => (d.open = true)), true)`)
			sideways := browsertest.Eval[[]string](t, frame, `[document.documentElement, ...document.querySelectorAll(".table-wrap")]
				.filter((box) => box.checkVisibility() && box.scrollWidth > box.clientWidth + 1)
				.map((box) => (box.getAttribute("aria-labelledby") || box.tagName) + ": " + box.scrollWidth + " px in " + box.clientWidth)`)
			if len(sideways) > 0 {
				t.Errorf("%s in a %s frame scrolls sideways: %v", path, width, sideways)
				// What reaches past the page's edge, deepest first.
				t.Log(browsertest.Eval[[]string](t, frame, `[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && ![...e.children].some((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1)).map((e) => e.tagName + "." + e.className + ": " + Math.round(e.getBoundingClientRect().right) + " " + e.textContent.slice(0, 80))`))
			}
			inFrame := browsertest.Eval[[]string](t, frame, `[...document.querySelectorAll("a[href]")]
				.filter((a) => a.origin !== location.origin && a.target !== "_blank" && a.target !== "_top").map((a) => a.href)`)
			if len(inFrame) > 0 {
				t.Errorf("%s links to other sites in the frame: %v", path, inFrame)
			}
		}
	}
}

// waitingShopper subscribes email to a sold-out variant of the shop.
func waitingShopper(t *testing.T, m *Main, shop *stockbell.Shop, email string) *stockbell.Subscription {
	t.Helper()
	ctx := context.Background()
	v, err := m.DB.FindVariant(ctx, shop.ID, "privacy-v")
	noErr(t, err)
	sub, _, err := m.DB.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Email: email,
		Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
	noErr(t, err)
	return sub
}

// TestShopifyFrameShowsTheAdminsNotFoundPage: a link into the app whose
// path is no page of the admin (mistyped, or from an older version) opens
// in the Shopify admin's frame as the admin's own not-found page, its
// menu and its way back to the dashboard with it, where the frame showed
// nothing (a page no one may frame).
func TestShopifyFrameShowsTheAdminsNotFoundPage(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	ctx := browsertest.New(t)
	frame := inShopifyAdmin(t, ctx, m, fake, shopifyAppLink(fake, "/admin/report"))
	waitAcrossPages(t, frame, `document.body !== null && document.body.innerText.includes("no such page")`)
	if n := browsertest.Eval[int](t, frame, `document.querySelectorAll("nav.menu a").length`); n == 0 {
		t.Errorf("the not-found page in the frame has no menu: %q", text(t, frame, "body"))
	}
	clickAndWait(t, frame, `main a[href^="/admin?"]`, `nav.menu [aria-current=page]`)
	if at := browsertest.Eval[string](t, frame, `location.pathname`); at != "/admin" {
		t.Errorf("the not-found page's way back opened %s", at)
	}
}

// TestShopifyReinstallOpensInTheShopifyAdminsFrame: the merchant
// uninstalls Stockbell (Shopify revokes its token and sends
// app/uninstalled), then installs it again: Shopify opens the app in its
// frame with a session token, which installs the shop again in that
// request (token exchange), and the dashboard shows in the frame with the
// shopper who was waiting still waiting.
func TestShopifyReinstallOpensInTheShopifyAdminsFrame(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	shop, ann := privacyShopper(t, m)
	fake.UninstallApp(e2eShop)
	body := strings.ReplaceAll(readTestdata(t, "app_uninstalled.json"), "super-toys.myshopify.com", e2eShop)
	sendWebhook(t, m, fake, shopifytest.Webhook{Topic: "app/uninstalled", Body: []byte(body)})
	eventually(t, m, "the shop uninstalled", func() bool {
		s, err := m.DB.FindShopByID(context.Background(), shop.ID)
		return err == nil && !s.Active()
	})

	frame := inShopifyAdmin(t, browsertest.New(t), m, fake, shopifyAppLink(fake, "/admin"))
	waitForServer(t, frame, `document.querySelector("nav.menu [aria-current=page]") !== null`)
	if got := text(t, frame, "main h1"); got != "Dashboard" {
		t.Errorf("the reinstalled app opens on %q", got)
	}
	if s, err := m.DB.FindShopByID(context.Background(), shop.ID); err != nil || !s.Active() {
		t.Fatalf("the shop after the reinstall: %+v, %v", s, err)
	}
	clickAndWait(t, frame, `nav.menu a[href^="/admin/subscribers?"]`, `main h1`)
	if got := text(t, frame, "main"); !strings.Contains(got, ann.Email) {
		t.Errorf("the shopper waiting before the uninstall is not listed after the reinstall:\n%s", got)
	}
}

// readTestdata reads a payload of the Shopify integration's testdata.
func readTestdata(t *testing.T, name string) string {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "integrations", "shopify", "testdata", name))
	noErr(t, err)
	return string(body)
}
