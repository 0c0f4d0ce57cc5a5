package snippet

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// styled describes what the shopper sees of the snippet's styles: the
// button's and the submit button's minimum height and colour, and how many
// shadow roots carry a <style> element.
const styled = `[getComputedStyle(button()).minHeight, getComputedStyle(button()).color,
	getComputedStyle(form().querySelector("button[type=submit]")).backgroundColor,
	[...document.querySelectorAll("stockbell-button, stockbell-dialog")].filter((h) => h.shadowRoot.querySelector("style")).length].join("|")`

func TestButtonsAndFormShareOneStylesheet(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom")
	eval[chromedp.Void](t, ctx, `document.body.insertAdjacentHTML("beforeend",
		'<div data-stockbell-variant="B" data-stockbell-available="false"></div><div data-stockbell-variant="C" data-stockbell-available="false"></div>')`)
	waitFor(t, ctx, `document.querySelectorAll("stockbell-button").length == 3`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	got := eval[string](t, ctx, `(() => {
		const roots = [...document.querySelectorAll("stockbell-button, stockbell-dialog")].map((h) => h.shadowRoot);
		const shared = roots[0].adoptedStyleSheets[0];
		return [roots.length, roots.every((r) => r.adoptedStyleSheets[0] === shared), roots.filter((r) => r.querySelector("style")).length,
			getComputedStyle(form().querySelector("button[type=submit]")).minHeight].join("|"); })()`)
	if got != "4|true|0|44px" {
		t.Errorf("shadow roots, all sharing the first sheet, with a <style>, submit min-height: %s", got)
	}
}

// A store whose Content-Security-Policy allows no inline styles still gets
// a styled button and form: constructed stylesheets are not inline styles.
func TestStylesUnderAStrictStyleCSP(t *testing.T) {
	s := newStorefront(t, "")
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; connect-src "+s.app.URL+
			"; script-src 'self' 'unsafe-inline' "+s.app.URL)
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="shop-key-123" data-color-accent="#0a5c36" defer></script></head>
<body><div data-stockbell-variant="A" data-stockbell-available="false"></div></body></html>`, s.app.URL)
	}))
	t.Cleanup(shop.Close)
	ctx := newBrowser(t)
	open(t, ctx, shop.URL)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	if got := eval[string](t, ctx, styled); got != "44px|rgb(10, 92, 54)|rgb(10, 92, 54)|0" {
		t.Errorf("styles under style-src 'self': %s", got)
	}
}

// Browsers without constructed stylesheets (Safari before 16.4) get a
// <style> element in each shadow root instead.
func TestStylesWithoutConstructedStylesheets(t *testing.T) {
	s := newStorefront(t, customAttrs)
	ctx := newBrowser(t)
	beforeScripts(t, ctx, `delete window.CSSStyleSheet;`)
	open(t, ctx, s.shop.URL+"/pages/custom")
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	if got := eval[string](t, ctx, styled); got != "44px|rgb(10, 92, 54)|rgb(10, 92, 54)|2" {
		t.Errorf("styles without constructed stylesheets: %s", got)
	}
	if got := eval[string](t, ctx, `getComputedStyle(dialog()).borderRadius`); got != "8px" {
		t.Errorf("the form's own rules are missing: dialog border-radius %s", got)
	}
}
