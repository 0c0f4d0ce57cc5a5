package snippet

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A theme developer's configuration as docs/snippet.md describes it: an
// option given late, and the mistakes the console must name.

// recordConsole keeps what the page writes as warnings and errors, and
// anything thrown, in window.consoleSeen for every document the tab opens.
func recordConsole(t testing.TB, ctx context.Context) {
	t.Helper()
	beforeScripts(t, ctx, `
		window.consoleSeen = [];
		for (const level of ["error", "warn"]) {
			const original = console[level];
			console[level] = (...args) => { window.consoleSeen.push(level + ": " + args.join(" ")); original(...args); };
		}
		addEventListener("error", (e) => window.consoleSeen.push("thrown: " + e.message));
		addEventListener("unhandledrejection", (e) => window.consoleSeen.push("unhandled: " + e.reason));`)
}

// themePage serves one page of a theme's own: head goes after the event
// recorder, body holds the products; /theme.js answers with script.
func themePage(t testing.TB, head, body, script string) string {
	t.Helper()
	theme := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/theme.js" {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, script)
			return
		}
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
for (const name of ["ready", "subscribed", "error"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}));</script>`+
			head+`</head><body>`+body+`</body></html>`)
	}))
	t.Cleanup(theme.Close)
	return theme.URL + "/"
}

const soldOutProduct = `<div class="product" data-stockbell-variant="PULL-ROUGE-M" data-stockbell-available="false">` +
	`<button id="buy" type="button" disabled>Sold out</button><span id="tail"></span></div>`

// Every option may be given later with Stockbell.configure, the shop's key
// too: a theme that knows it only in its own script, run after the
// snippet's, gets its button once the server has said yes to that shop,
// and the email's click its address carries is reported once, under that
// shop, where it was sent at once without a shop and refused.
func TestShopConfiguredAfterTheScriptRanGetsItsButton(t *testing.T) {
	s := newStorefront(t, "")
	url := themePage(t, `<script src="`+s.app.URL+`/snippet.js" defer></script><script src="/theme.js" defer></script>`,
		soldOutProduct, `Stockbell.configure({shop: "shop-key-123"}); Stockbell.configure({shop: "shop-key-123"});`)
	ctx := newBrowser(t)
	countClickReports(t, ctx)
	open(t, ctx, url+"?sb_click=AbC-_9xyz")
	waitFor(t, ctx, `!!button() && shown(button())`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("shopper@example.com\r"))
	// The fake app answers CORS for its own shop's origin only: the post
	// reaches it, and the page reads no answer.
	waitFor(t, ctx, `stockbellEvents.length > 1`)
	if got := s.posts()[0].Body; !strings.Contains(got, `"shop":"shop-key-123"`) {
		t.Errorf("posted %s, want the configured shop", got)
	}
	wantJSON(t, waitReceived(t, s.clicks, 1)[0].Body, map[string]any{"shop": "shop-key-123", "code": "AbC-_9xyz"})
	if n := eval[int](t, ctx, `window.clickReports`); n != 1 {
		t.Errorf("the page sent %d click reports, want 1", n)
	}
}

// data-api must end in "subscriptions" (its sibling …/status is asked
// first). One that does not, a proxy's base URL say, gets one warning
// naming the option, and no button, rather than a button whose
// every subscription fails; nothing is asked of it.
func TestAPINotEndingInSubscriptionsIsNamedInTheConsole(t *testing.T) {
	var asked []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RequestURI())
		w.Header().Set("Access-Control-Allow-Origin", "*")
		http.NotFound(w, r)
	}))
	t.Cleanup(proxy.Close)
	ctx := newBrowser(t)
	recordConsole(t, ctx)
	for _, api := range []string{proxy.URL + "/apps/stockbell", proxy.URL + "/apps/stockbell/subscriptions/"} {
		s := newStorefront(t, `data-api="`+api+`"`)
		open(t, ctx, s.shop.URL+"/pages/custom")
		want := "warn: Stockbell: data-api must end in subscriptions. No button is shown."
		if got := eval[[]string](t, ctx, `window.consoleSeen`); len(got) != 1 || got[0] != want {
			t.Errorf("data-api %s: console %q, want %q", api, got, want)
		}
		if eval[bool](t, ctx, `host() != null`) {
			t.Errorf("data-api %s: a button was placed", api)
		}
	}
	if len(asked) > 0 {
		t.Errorf("asked %q of a data-api without a status route", asked)
	}
}

// With placement "inside", an add-to-cart button outside any form (a
// theme's data-anchor) gets the notify button after it, as with "after";
// only a marked product without an add-to-cart button gets it at its end.
func TestInsidePlacementWithAnAnchorOutsideAForm(t *testing.T) {
	s := newStorefront(t, "")
	url := themePage(t, `<script src="`+s.app.URL+`/snippet.js" data-shop="shop-key-123" data-placement="inside" data-anchor="#buy" defer></script>`,
		soldOutProduct, "")
	ctx := newBrowser(t)
	open(t, ctx, url)
	waitFor(t, ctx, `!!button() && shown(button())`)
	if got := eval[string](t, ctx, `host().previousElementSibling.id + " " + host().nextElementSibling.id`); got != "buy tail" {
		t.Errorf("button between %q, want between the anchor and what follows it (buy tail)", got)
	}
}
