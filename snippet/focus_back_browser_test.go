package snippet

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focusBackPage serves a product whose variant the theme puts back in
// stock from its own script (a live stock update), enabling its
// add-to-cart button, while the shopper has the form open.
func focusBackPage(s *storefront, attrs string) string {
	s.shop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}));
window.restock = () => { const p = document.getElementById("p"); p.setAttribute("data-stockbell-available", "true"); document.getElementById("add").disabled = false; };</script>
<script src="%s/snippet.js" data-shop="shop-key-123" %s defer></script></head>
<body><div id="p" data-stockbell-variant="A" data-stockbell-available="false">
<form action="/cart/add"><button id="add" type="submit" disabled>Add to cart</button></form></div></body></html>`, s.app.URL, attrs)
	})
	return s.shop.URL
}

// A variant back in stock while its form is open hides the notify button
// that opened the form: closing the form gives focus to the add-to-cart
// button shown in its place, not to nowhere.
func TestFocusReturnsWhenTheVariantCameBackWhileTheFormWasOpen(t *testing.T) {
	for _, placement := range []string{"after", "replace", "inside"} {
		t.Run(placement, func(t *testing.T) {
			s := newStorefront(t, "")
			ctx := newBrowser(t)
			open(t, ctx, focusBackPage(s, `data-placement="`+placement+`"`))
			tabTo(t, ctx, "b")
			do(t, ctx, chromedp.KeyEvent(kb.Enter))
			waitFor(t, ctx, `dialog() && dialog().open`)
			eval[chromedp.Void](t, ctx, `restock()`)
			waitFor(t, ctx, `!shown(button())`)
			do(t, ctx, chromedp.KeyEvent(kb.Escape))
			waitFor(t, ctx, `!dialog().open`)
			waitForFocus(t, ctx, "add")
		})
	}
}

// A theme that re-renders the product's block while the form is open (a
// live stock update, its variant still sold out) replaces the button that
// opened the form: closing the form gives focus to the new block's button.
func TestFocusReturnsToTheButtonOfABlockReRenderedWhileTheFormWasOpen(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, focusBackPage(s, ""))
	tabTo(t, ctx, "b")
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, `dialog() && dialog().open`)
	eval[chromedp.Void](t, ctx, `(() => { window.before = button(); const p = document.getElementById("p");
		p.outerHTML = p.outerHTML.replace(/<stockbell-button[^]*<\/stockbell-button>/, ""); })()`)
	waitFor(t, ctx, `!!button() && button() !== window.before && shown(button())`)
	do(t, ctx, chromedp.KeyEvent(kb.Escape))
	waitFor(t, ctx, `!dialog().open`)
	waitForFocus(t, ctx, "b")
	if !eval[bool](t, ctx, `active() === button()`) {
		t.Error("focus is not on the re-rendered block's button")
	}
}
