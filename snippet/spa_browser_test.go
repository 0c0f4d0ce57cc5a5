package snippet

import (
	"fmt"
	"net/http"
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
	// stockbell:ready is the page load's: a swapped body fires none.
	if n := eval[int](t, ctx, `events("ready").length`); n != 1 {
		t.Errorf("stockbell:ready fired %d times, want once", n)
	}
}

// htmx keeps the pages a shopper leaves as HTML and, going back, puts that
// HTML in the body again: the button's element comes back without its
// shadow root, an empty box that a theme's layout still places (a gap in
// a flex column, a theme's margins on stockbell-button). The restored page
// has one button, and lays out as it did; the form (whose element came
// back the same way, once opened) still opens.
func TestPageRestoredFromItsHTMLHasOneButton(t *testing.T) {
	s := newStorefront(t, "")
	s.shop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><style>body { display: flex; flex-direction: column; gap: 12px } stockbell-button { margin: 8px 0 }</style>
<script>window.stockbellEvents = []; document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="shop-key-123" defer></script></head>
<body><div data-stockbell-variant="A" data-stockbell-available="false"><button disabled>Sold out</button></div><p id="after">Wool.</p></body></html>`, s.app.URL)
	})
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL)
	waitFor(t, ctx, `shown(button())`)
	top := eval[float64](t, ctx, `document.getElementById("after").getBoundingClientRect().top`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("\u001b"))
	waitFor(t, ctx, `!dialog().open`)
	top = eval[float64](t, ctx, `document.getElementById("after").getBoundingClientRect().top`)
	eval[chromedp.Void](t, ctx, `(() => {
		window.saved = document.body.innerHTML;
		document.body.innerHTML = "<h1>Another page</h1>";
	})()`)
	waitFor(t, ctx, `!document.querySelector("stockbell-button")`)
	eval[chromedp.Void](t, ctx, `document.body.innerHTML = saved`)
	waitFor(t, ctx, `[...document.querySelectorAll("stockbell-button")].some((h) => h.shadowRoot)`)
	if got := eval[string](t, ctx, `[...document.querySelectorAll("stockbell-button, stockbell-dialog")].map((h) => (h.shadowRoot ? "" : "empty copy of ") + h.localName).join(", ")`); got != "stockbell-button" {
		t.Errorf("the restored page has %s, want one stockbell-button", got)
	}
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	if after := eval[float64](t, ctx, `document.getElementById("after").getBoundingClientRect().top`); after != top {
		t.Errorf("the restored page lays the text after the button at %v, was %v", after, top)
	}
}
