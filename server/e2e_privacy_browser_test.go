package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestEmbeddedPrivacyEraseAsksFirst: inside the Shopify admin, on the
// Privacy requests page, "Download their data" downloads the shopper's
// JSON file and leaves the page as it is; "Erase their data" asks for
// confirmation each time, on a page of the server's (the browser's dialog
// is never opened), with the contact nowhere in its address. Its No
// erases nothing and shows the page again with the address typed, still
// not in its address; its Yes posts to the erase route (not to the download
// action) with a fresh session token from App Bridge, and the shopper's
// subscription and the answer to their earlier Shopify data request, kept
// in the server's data directory, are gone.
func TestEmbeddedPrivacyEraseAsksFirst(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	shop, ann := privacyShopper(t, m)
	answers := &shopify.FileDataRequests{Dir: filepath.Join(m.Config.DataDir, "data-requests"), Logger: slog.New(slog.DiscardHandler)}
	if err := answers.DeliverContactData(context.Background(), shop, "r1", &stockbell.ContactData{Contact: ann}); err != nil {
		t.Fatal(err)
	}
	answer := filepath.Join(answers.Dir, shop.Domain, "r1.json")

	fresh := sessionToken(t, fake, e2eShop, func(c jwt.MapClaims) { c["jti"] = "fresh" })
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.shopify = {idToken: () => Promise.resolve("` + fresh + `")};`})
		return err
	}))
	// A dialog the page would open is counted, and declined.
	var dialogs atomic.Int32
	listening, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		for _, err := range chromedp.Events(listening, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			dialogs.Add(1)
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	privacy := m.URL() + "/admin/privacy?" + embeddedQuery(e2eShop, sessionToken(t, fake, e2eShop, nil))
	browse(t, ctx, privacy, "#email")
	const erase = `button[formaction^="/admin/privacy/erase"]`
	browsertest.Eval[bool](t, ctx, `(document.querySelector("#email").value = "ann@example.com", true)`)
	clickAndWait(t, ctx, erase, "#question")
	if got := text(t, ctx, "#question"); got != "Erase everything this shop keeps about this shopper?" {
		t.Errorf("erasing asks %q", got)
	}
	if href := browsertest.Eval[string](t, ctx, `location.href`); strings.Contains(href, "ann") {
		t.Errorf("the question's address names the shopper: %s", href)
	}
	clickAndWait(t, ctx, `button[form="keep-editing"]`, "#email")
	if subs := subscriptionsOf(t, m, ann); subs != 1 {
		t.Fatalf("going back from the question still erased (%d subscriptions left)", subs)
	}
	if typed := browsertest.Eval[string](t, ctx, `document.querySelector("#email").value`); typed != "ann@example.com" {
		t.Errorf("back from the question, the email field holds %q, want the address typed", typed)
	}
	if href := browsertest.Eval[string](t, ctx, `location.href`); strings.Contains(href, "ann") {
		t.Errorf("the page back from the question names the shopper in its address: %s", href)
	}

	// Their data first: the download leaves the page as it is, and the
	// erasure after it still asks.
	downloads := t.TempDir()
	browsertest.AllowDownloads(t, ctx, downloads)
	browsertest.Eval[bool](t, ctx, `(document.querySelector("#email").value = "ann@example.com", true)`)
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`button.primary`)))
	exported := waitForDownload(t, downloads, ".json")
	if !strings.Contains(exported, `"email": "ann@example.com"`) || !strings.Contains(exported, `"shop": "`+e2eShop+`"`) {
		t.Fatalf("the downloaded data lacks the shopper's subscription:\n%s", exported)
	}

	clickAndWait(t, ctx, erase, "#question")
	clickAndWait(t, ctx, `button[name=confirm]`, ".banner.ok")
	if n := dialogs.Load(); n != 0 {
		t.Errorf("erasing opened %d browser dialogs, want none", n)
	}
	if got := text(t, ctx, ".banner.ok"); !strings.HasPrefix(got, "Erased:") {
		t.Fatalf("after erasing, the page says %q", got)
	}
	if search := browsertest.Eval[string](t, ctx, `location.search`); !strings.Contains(search, "id_token="+fresh) ||
		strings.Contains(search, "ann") {
		t.Errorf("the erasure's answer is %q: want the fresh token kept, and no contact", search)
	}
	if subs := subscriptionsOf(t, m, ann); subs != 0 {
		t.Errorf("%d subscriptions left after erasing", subs)
	}
	if _, err := os.Stat(answer); !os.IsNotExist(err) {
		t.Errorf("the answer to the shopper's Shopify data request is still kept: %v", err)
	}
}

// waitForDownload waits up to 10 s for a finished file of the extension
// (".json") in dir and returns its text.
func waitForDownload(t *testing.T, dir, ext string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "*"+ext))
		if len(files) == 1 {
			body, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			return string(body)
		}
	}
	t.Fatal("no download within 10 s")
	return ""
}

// privacyShopper subscribes ann@example.com to a sold-out product of the
// installed Shopify shop.
func privacyShopper(t *testing.T, m *Main) (*stockbell.Shop, stockbell.Contact) {
	t.Helper()
	ctx := context.Background()
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformShopify, e2eShop)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.DB.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "privacy-p", Title: "Scarf", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "privacy-v", Title: "Red", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := m.DB.FindVariant(ctx, shop.ID, "privacy-v")
	if err != nil {
		t.Fatal(err)
	}
	ann := stockbell.Contact{ShopID: shop.ID, Email: "ann@example.com"}
	if _, _, err := m.DB.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Email: ann.Email,
		Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"}); err != nil {
		t.Fatal(err)
	}
	return shop, ann
}

func subscriptionsOf(t *testing.T, m *Main, c stockbell.Contact) int {
	t.Helper()
	data, err := m.DB.ContactData(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return len(data.Subscriptions)
}
