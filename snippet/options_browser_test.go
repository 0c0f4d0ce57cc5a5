package snippet

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Options as a theme writes them by mistake or through its templating
// engine, and the JavaScript API called at an awkward moment.

// A data-anchor that is not a CSS selector is named once in the console and
// ignored: the page still gets its button, placed as with the anchor in
// force before it (the default here, which this product has no match for,
// so the button goes after the marked element), and stockbell:ready.
func TestAnchorThatIsNotASelectorIsNamedAndIgnored(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	recordConsole(t, ctx)
	for _, c := range []struct{ name, head string }{
		{"data-anchor", `<script src="` + s.app.URL + `/snippet.js" data-shop="shop-key-123" data-anchor="#add[" defer></script>`},
		{"window.Stockbell", `<script>window.Stockbell = {anchor: "#add["};</script><script src="` + s.app.URL + `/snippet.js" data-shop="shop-key-123" defer></script>`},
	} {
		open(t, ctx, themePage(t, c.head, soldOutProduct, ""))
		want := `warn: Stockbell: data-anchor "#add[" is not a CSS selector. It is ignored.`
		if got := eval[[]string](t, ctx, `window.consoleSeen`); len(got) != 1 || got[0] != want {
			t.Errorf("%s: console %q, want %q", c.name, got, want)
		}
		waitFor(t, ctx, `!!button() && shown(button())`)
		if got := eval[string](t, ctx, `host().previousElementSibling.className`); got != "product" {
			t.Errorf("%s: button after %q, want after the marked product", c.name, got)
		}
	}
}

// A later configure({anchor}) that is not a selector keeps the one in force.
func TestAnchorConfiguredLaterThatIsNotASelectorKeepsTheOneInForce(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	recordConsole(t, ctx)
	open(t, ctx, themePage(t, `<script src="`+s.app.URL+`/snippet.js" data-shop="shop-key-123" data-anchor="#buy" defer></script>`, soldOutProduct, ""))
	waitFor(t, ctx, `!!button() && shown(button())`)
	eval[chromedp.Void](t, ctx, `Stockbell.configure({anchor: "#buy >"})`)
	if got := eval[[]string](t, ctx, `window.consoleSeen`); len(got) != 1 || got[0] != `warn: Stockbell: data-anchor "#buy >" is not a CSS selector. It is ignored.` {
		t.Errorf("console %q, want one warning naming the anchor", got)
	}
	if got := eval[string](t, ctx, `host().previousElementSibling.id`); got != "buy" {
		t.Errorf("button after %q, want still after the anchor #buy", got)
	}
}
