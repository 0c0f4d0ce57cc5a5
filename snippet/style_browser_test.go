package snippet

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
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

// documentedPolicies reads the Content-Security-Policy headers given in
// docs/snippet.md, with APP standing for the app's origin and RANDOM for
// the page's nonce.
func documentedPolicies(t *testing.T, app, nonce string) []string {
	t.Helper()
	raw, err := os.ReadFile("../docs/snippet.md")
	if err != nil {
		t.Fatal(err)
	}
	var policies []string
	for _, line := range strings.Split(string(raw), "\n") {
		if policy, ok := strings.CutPrefix(line, "Content-Security-Policy: "); ok {
			policies = append(policies, strings.NewReplacer("https://APP", app, "RANDOM", nonce).Replace(policy))
		}
	}
	if len(policies) < 2 {
		t.Fatalf("docs/snippet.md gives %d Content-Security-Policy headers, want the origin-based and the nonce-based ones", len(policies))
	}
	return policies
}

// Each policy docs/snippet.md gives, which allow no inline script or style
// but by nonce and no eval, is enough on a Shopify product page an email's
// link opened with SMS offered: the product's JSON, the status request,
// the click report, the lazy files (the phone helper's too) and the
// subscription all pass, and the browser reports no violation.
func TestShopifyPageUnderTheDocumentedPolicy(t *testing.T) {
	const nonce = "c3RvY2tiZWxs"
	s := newStorefront(t, "")
	for _, policy := range documentedPolicies(t, s.app.URL, nonce) {
		// The shop's server (the origin the app answers) serves this theme.
		s.shop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/products/tee.js":
				r.SetPathValue("file", "tee.js")
				s.product(w, r)
			case "/theme.js":
				w.Header().Set("Content-Type", "text/javascript")
				fmt.Fprint(w, `window.Shopify = {routes: {root: "/"}}; window.stockbellEvents = []; window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective + " " + e.blockedURI));
for (const name of ["ready", "subscribed", "error"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}));`)
			default:
				w.Header().Set("Content-Security-Policy", policy)
				fmt.Fprintf(w, `<!doctype html><html lang="en"><head><script src="/theme.js" nonce="%[1]s"></script>
<script src="%[2]s/snippet.js" nonce="%[1]s" data-shop="test-shop.myshopify.com" data-channels="both" defer></script></head><body><h1>Tee</h1>
<form action="/cart/add" method="post"><input type="hidden" name="id" value="%[3]s"><button type="submit" name="add">Sold out</button></form></body></html>`, nonce, s.app.URL, soldOut)
			}
		})
		ctx := newBrowser(t)
		open(t, ctx, s.shop.URL+"/products/tee?sb_click=AbC-_9xyz")
		waitFor(t, ctx, `shown(button())`)
		click(t, ctx, `button()`)
		waitFor(t, ctx, `dialog() && dialog().open && field("country")`)
		do(t, ctx, chromedp.KeyEvent("shopper@example.com\r"))
		waitFor(t, ctx, `events("subscribed").length == 1`)
		if got := eval[[]string](t, ctx, `violations`); len(got) > 0 {
			t.Errorf("policy %q violated: %q", policy, got)
		}
	}
	waitReceived(t, s.clicks, 2)
}

// typography describes the text of the button and of the form's title and
// labels: size, line height, letter spacing, case, style, weight and
// alignment.
const typography = `[button(), form().querySelector("h2"), form().querySelector("label[for=e]")].map((el) => {
	const c = getComputedStyle(el);
	return [c.fontSize, c.lineHeight, c.letterSpacing, c.textTransform, c.fontStyle, c.fontWeight, c.textAlign].join(" ");
}).join(" | ")`

// A theme rule that matches the snippet's elements from outside (body *,
// form * — the button sits in the cart form) reaches their hosts, and
// inherited properties set there used to flow into the shadow roots past
// :host { all: initial }. The button and the form set their own
// typography, so such rules change nothing but the font family.
func TestThemeRulesOnTheHostsDoNotReachTheText(t *testing.T) {
	var want string
	for _, theme := range []string{"", `body *, form * { font-size: 11px; line-height: 0; letter-spacing: 4px; text-transform: uppercase; font-style: italic; font-weight: 700; text-align: right; }`} {
		s := newStorefront(t, `data-placement="inside"`)
		s.shop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><style>%s</style><script>window.stockbellEvents = [];
document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="shop-key-123" defer></script></head>
<body><div data-stockbell-variant="A" data-stockbell-available="false"><form action="/cart/add"><button type="submit" name="add" disabled>Sold out</button></form></div></body></html>`, theme, s.app.URL)
		})
		ctx := newBrowser(t)
		open(t, ctx, s.shop.URL)
		click(t, ctx, `button()`)
		waitFor(t, ctx, `dialog() && dialog().open`)
		got := eval[string](t, ctx, typography)
		if theme == "" {
			want = got
		} else if got != want {
			t.Errorf("under %q the text is\n%s\nwant as without it\n%s", theme, got, want)
		}
	}
}
