package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// openDemoAdmin starts a development server and signs Chromium in to the
// demo shop's admin from the start page.
func openDemoAdmin(t *testing.T) (*Main, context.Context, *stockbell.Shop) {
	t.Helper()
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain)
	if err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "table")
	return m, ctx, shop
}

// reloadShowing reloads the page as the browser's Reload button does and
// waits for an element of the page it shows.
func reloadShowing(t *testing.T, ctx context.Context, ready string) {
	t.Helper()
	browsertest.Eval[bool](t, ctx, `(document.body.dataset.before = "1", true)`)
	browsertest.Do(t, ctx, chromedp.Reload())
	waitForPageShowing(t, ctx, "body:not([data-before]) "+ready)
}

// shownAgain reports whether the page has an element matching selector.
func shownAgain(t *testing.T, ctx context.Context, selector string) bool {
	t.Helper()
	return browsertest.Eval[bool](t, ctx, fmt.Sprintf(`document.querySelector(%q) !== null`, selector))
}

// TestReloadingAfterAddingAWebhookEndpointAddsNoOtherInChromium: a
// merchant adds an endpoint, copies its secret, then reloads the page (or
// comes back to it with the back button). The reload does not post the
// form again: the shop still has one endpoint, which gets each event once,
// and the secret is not shown again.
func TestReloadingAfterAddingAWebhookEndpointAddsNoOtherInChromium(t *testing.T) {
	m, ctx, shop := openDemoAdmin(t)
	browse(t, ctx, m.URL()+"/admin/webhooks", "#url")
	browsertest.Do(t, ctx, chromedp.SendKeys("#url", "https://hooks.example.com/stockbell"))
	clickAndWait(t, ctx, `main form button.primary`, "[data-secret]")
	reloadShowing(t, ctx, "main h1")
	endpoints, err := m.DB.FindWebhookEndpoints(context.Background(), shop.ID)
	if err != nil || len(endpoints) != 1 {
		t.Fatalf("after adding one endpoint and reloading, the shop has %d (%v)", len(endpoints), err)
	}
	if shownAgain(t, ctx, "[data-secret]") {
		t.Error("the reloaded page shows the secret again")
	}
}

// TestReloadingAfterMakingAnAPIKeyMakesNoOtherInChromium: reloading the
// page that shows a new API key makes no second key.
func TestReloadingAfterMakingAnAPIKeyMakesNoOtherInChromium(t *testing.T) {
	m, ctx, shop := openDemoAdmin(t)
	browse(t, ctx, m.URL()+"/admin/api-keys", "#name")
	browsertest.Do(t, ctx, chromedp.SendKeys("#name", "ERP"))
	clickAndWait(t, ctx, `main form button.primary`, "[data-new-key]")
	reloadShowing(t, ctx, "main h1")
	keys, err := m.DB.FindAPIKeys(context.Background(), shop.ID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("after making one key and reloading, the shop has %d (%v)", len(keys), err)
	}
	if shownAgain(t, ctx, "[data-new-key]") {
		t.Error("the reloaded page shows the key again")
	}
}
