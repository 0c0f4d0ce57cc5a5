package snippet

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
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

// marketing is a yes/no option: a string (what a theme's templating engine
// writes into window.Stockbell) reads as the data attribute does, only
// "true" turning the opt-in on, and wins over the data attribute as any
// option there does. An empty string, as for every option, is no value:
// the data attribute's stands.
func TestMarketingGivenAsAStringReadsAsTheDataAttribute(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	offered := func(head string) bool {
		t.Helper()
		open(t, ctx, themePage(t, head, soldOutProduct, ""))
		eval[chromedp.Void](t, ctx, `Stockbell.open()`)
		waitFor(t, ctx, `dialog() && dialog().open`)
		return eval[bool](t, ctx, `!!field("marketing_consent")`)
	}
	for _, c := range []struct {
		preset                   string
		alone, withDataMarketing bool
	}{
		{`"false"`, false, false},
		{`"0"`, false, false},
		{`""`, false, true},
		{`"true"`, true, true},
		{`true`, true, true},
		{`false`, false, false},
	} {
		for attr, want := range map[string]bool{"": c.alone, `data-marketing="true"`: c.withDataMarketing} {
			head := `<script>window.Stockbell = {marketing: ` + c.preset + `};</script>` +
				`<script src="` + s.app.URL + `/snippet.js" data-shop="shop-key-123" ` + attr + ` defer></script>`
			if got := offered(head); got != want {
				t.Errorf("window.Stockbell marketing %s with %q: opt-in offered %v, want %v", c.preset, attr, got, want)
			}
		}
	}
	for attr, want := range map[string]bool{`data-marketing="false"`: false, `data-marketing="0"`: false, `data-marketing=""`: false, `data-marketing="true"`: true} {
		if got := offered(`<script src="` + s.app.URL + `/snippet.js" data-shop="shop-key-123" ` + attr + ` defer></script>`); got != want {
			t.Errorf("%s: opt-in offered %v, want %v", attr, got, want)
		}
	}
}

// Stockbell.open() while the form is open (a theme's second trigger)
// keeps the form open, and focus still returns, when it closes, to where
// it was before the form first opened: the notify button.
func TestOpenWhileTheFormIsOpenKeepsWhereFocusReturns(t *testing.T) {
	ctx := formOpenedByKeyboard(t)
	eval[chromedp.Void](t, ctx, `Stockbell.open()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	if got := focused(t, ctx); got != "email" {
		t.Errorf("focus on %q after the second open, want in the form (email)", got)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Escape))
	waitFor(t, ctx, `!dialog().open`)
	waitForFocus(t, ctx, "b") // the notify button
}
