package snippet

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A storefront whose router swaps the whole <body> on navigation (Turbo
// Drive, htmx's hx-boost) takes the form's element away with the old body:
// the button of a product on the new body still opens the form.
func TestFormOpensAfterTheBodyWasSwapped(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom")
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("\u001b"))
	waitFor(t, ctx, `!dialog().open`)
	eval[chromedp.Void](t, ctx, `(() => {
		const body = document.createElement("body");
		body.innerHTML = '<div data-stockbell-variant="PULL-BLEU-L" data-stockbell-available="false"><button id="add" disabled>Épuisé</button></div>';
		document.documentElement.replaceChild(body, document.body);
	})()`)
	waitFor(t, ctx, `!!button() && shown(button())`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	click(t, ctx, `field("email")`)
	do(t, ctx, chromedp.KeyEvent("shopper@example.com\r"))
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if got := eval[string](t, ctx, `events("subscribed")[0].detail.variantId`); got != "PULL-BLEU-L" {
		t.Errorf("subscribed to %q, want the new body's product", got)
	}
}
