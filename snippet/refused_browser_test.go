package snippet

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestUnknownShopWarnsOnceAndShowsNoButton: when the server says the shop
// takes no subscriptions (unknown here, uninstalled, or not this page's
// storefront), the snippet writes one console warning naming the problem
// and shows no button, on a Shopify page and on a marked page, even when a
// sold-out variant is chosen afterwards.
func TestUnknownShopWarnsOnceAndShowsNoButton(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
			window.Stockbell = {shop: "unknown-shop"};
			window.warnings = [];
			const warn = console.warn;
			console.warn = (...args) => { window.warnings.push(args.join(" ")); warn(...args); };`})
		return err
	}))
	for _, url := range []string{s.shop.URL + "/products/tee?variant=" + soldOut, s.shop.URL + "/pages/custom?available=false"} {
		open(t, ctx, url)
		warnings := eval[[]string](t, ctx, `window.warnings`)
		if len(warnings) != 1 || !strings.Contains(warnings[0], "No shop unknown-shop takes alerts on this Stockbell server.") {
			t.Errorf("%s: console warnings %q, want one naming the problem", url, warnings)
		}
		if eval[bool](t, ctx, `host() != null`) {
			t.Errorf("%s: a button was placed for a refused shop", url)
		}
	}
	eval[chromedp.Void](t, ctx, `document.querySelector("[data-stockbell-variant]").setAttribute("data-stockbell-variant", "PULL-ROUGE-L")`)
	if n := eval[int](t, ctx, `window.warnings.length`); n != 1 || eval[bool](t, ctx, `host() != null`) {
		t.Errorf("after the theme switched variants: %d warnings (want still one), button placed %v", n, eval[bool](t, ctx, `host() != null`))
	}
	if len(s.posts()) != 0 {
		t.Errorf("a refused shop posted subscriptions")
	}
}
