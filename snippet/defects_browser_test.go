package snippet

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// HTML lower-cases attribute names, so a camel-case key can only be given
// in kebab case (data-text-done-sms); the lower-cased spelling that
// data-text-doneSms becomes is accepted too.
func TestTextAttributesWithCompoundKeys(t *testing.T) {
	ctx := newBrowser(t)
	for _, attr := range []string{"data-text-done-sms", "data-text-doneSms"} {
		t.Run(attr, func(t *testing.T) {
			s := newStorefront(t, `data-channels="sms" data-country="FR" `+attr+`="Texto promis."`)
			open(t, ctx, s.shop.URL+"/pages/custom")
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			click(t, ctx, `field("phone")`)
			do(t, ctx, chromedp.KeyEvent("06 12 34 56 78"))
			click(t, ctx, `field("sms_consent")`)
			click(t, ctx, `form().querySelector("button[type=submit]")`)
			waitFor(t, ctx, `events("subscribed").length == 1`)
			if got := eval[string](t, ctx, `status().textContent`); got != "Texto promis." {
				t.Errorf("status %q", got)
			}
		})
	}
}

func TestInsidePlacementPutsTheButtonInTheProductForm(t *testing.T) {
	s := newStorefront(t, `data-placement="inside"`)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/tee?variant="+soldOut)
	waitFor(t, ctx, `shown(button())`)
	where := `(() => { const h = host(); return (h.parentNode.getAttribute("id") || h.parentNode.className) + (h.nextSibling ? "" : ":last"); })()`
	if got := eval[string](t, ctx, where); got != "product-form:last" {
		t.Errorf("button at %q, want the end of the product form", got)
	}
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("\u001b"))
	if _, shop := s.seen(); !equal(shop, []string{"/products/tee?variant=" + soldOut, "/products/tee.js"}) || eval[string](t, ctx, `location.pathname`) != "/products/tee" {
		t.Errorf("our button submitted the cart form: shop requests %q", shop)
	}
	// A theme's [data-stockbell-button] still wins.
	eval[chromedp.Void](t, ctx, `document.querySelector("h1").insertAdjacentHTML("afterend", '<div id="slot" data-stockbell-button></div>')`)
	waitFor(t, ctx, `host().parentNode.id == "slot"`)

	// A marked product without a form: the end of the marked element.
	open(t, ctx, s.shop.URL+"/pages/custom")
	waitFor(t, ctx, `shown(button())`)
	if got := eval[string](t, ctx, where); got != "product:last" {
		t.Errorf("button at %q, want the end of the marked element", got)
	}
}

// countryFit measures, inside the open form, whether the country select is
// as wide as its longest option (so no name is cut), and the layout of the
// phone row.
const countryFit = `(() => {
	const sel = field("country"), c = sel.cloneNode(true);
	c.style.cssText = "width: max-content !important; max-width: none !important; flex: none !important; position: absolute; visibility: hidden";
	sel.parentNode.append(c);
	const need = c.getBoundingClientRect().width, s = sel.getBoundingClientRect(), p = field("phone").getBoundingClientRect();
	c.remove();
	return {select: s.width, need, phone: p.width, sameRow: Math.abs(s.top - p.top) < 1, text: sel.selectedOptions[0].textContent};
})()`

type fit struct {
	Select, Need, Phone float64
	SameRow             bool
	Text                string
}

func TestCountrySelectShowsWholeNames(t *testing.T) {
	cases := []struct {
		width   int64
		attrs   string
		text    string
		sameRow bool
	}{
		{360, customAttrs, "+33 France", false},
		{1440, customAttrs, "+33 France", true},
		{360, `data-channels="both" data-country="GB" data-locale="en"`, "+44 United Kingdom", false},
		{1440, `data-channels="both" data-country="GB" data-locale="en"`, "+44 United Kingdom", true},
	}
	ctx := newBrowser(t)
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%dpx", c.text, c.width), func(t *testing.T) {
			s := newStorefront(t, c.attrs)
			do(t, ctx, chromedp.EmulateViewport(c.width, 800))
			open(t, ctx, s.shop.URL+"/pages/custom")
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			if c.text == "+33 France" {
				browsertest.Screenshot(t, ctx, fmt.Sprintf("snippet-form-%dpx", c.width))
			}
			got := eval[fit](t, ctx, countryFit)
			if got.Text != c.text || got.Select < got.Need-0.5 {
				t.Errorf("select shows %q in %.0f px, its longest option needs %.0f px", got.Text, got.Select, got.Need)
			}
			if got.Phone < 120 || got.SameRow != c.sameRow {
				t.Errorf("phone field %.0f px wide, on the select's row: %v (want %v)", got.Phone, got.SameRow, c.sameRow)
			}
		})
	}
}

// A theme may write the phone country in lower case (data-country="fr", as
// typed in the Shopify theme editor): it still selects that country, so a
// national number gets its calling code and not another country's.
func TestLowerCaseCountrySelectsThatCountry(t *testing.T) {
	s := newStorefront(t, `data-channels="sms" data-country=" fr "`)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom")
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	if got := eval[string](t, ctx, `field("country").value`); got != "FR" {
		t.Fatalf("country select shows %q, want FR", got)
	}
	click(t, ctx, `field("phone")`)
	do(t, ctx, chromedp.KeyEvent("06 12 34 56 78"))
	click(t, ctx, `field("sms_consent")`)
	click(t, ctx, `form().querySelector("button[type=submit]")`)
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if got := s.posts()[0].Body; !strings.Contains(got, `"phone":"+330612345678"`) {
		t.Errorf("posted %s, want the French number", got)
	}
}

// With placement "replace", only the add-to-cart button gives way to ours.
// A marked product whose add-to-cart button the anchor does not find gets
// the button after it, and none of the product (title, description, price)
// is hidden.
func TestReplacePlacementHidesOnlyTheAddToCartButton(t *testing.T) {
	ctx := newBrowser(t)
	cases := []struct{ attrs, want string }{
		{`data-placement="replace"`, "product:true add:true notify:true"},
		{`data-placement="replace" data-anchor="#add"`, "product:true add:false notify:true"},
	}
	for _, c := range cases {
		t.Run(c.attrs, func(t *testing.T) {
			s := newStorefront(t, c.attrs)
			open(t, ctx, s.shop.URL+"/pages/custom")
			waitFor(t, ctx, `shown(button())`)
			got := eval[string](t, ctx, `"product:" + shown(document.querySelector(".product")) +
				" add:" + shown(document.getElementById("add")) + " notify:" + shown(button())`)
			if got != c.want {
				t.Errorf("%s, want %s", got, c.want)
			}
		})
	}
}

// languagePage serves a product page whose <html> carries htmlAttrs (its
// language and direction), loading the snippet with attrs, from the shop's
// server (the origin the app answers).
func languagePage(t *testing.T, s *storefront, htmlAttrs, attrs string) string {
	t.Helper()
	s.shop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html %s><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
for (const name of ["ready", "subscribed"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="shop-key-123" %s defer></script></head>
<body><h1>كنزة صوف</h1><div data-stockbell-variant="A" data-stockbell-available="false"></div></body></html>`, htmlAttrs, s.app.URL, attrs)
	})
	return s.shop.URL
}

// rtlPage serves a right-to-left product page (Arabic, which has no
// built-in texts) loading the snippet with attrs.
func rtlPage(t *testing.T, s *storefront, attrs string) string {
	t.Helper()
	return languagePage(t, s, `lang="ar" dir="rtl"`, attrs)
}

// On a right-to-left page the built-in (left-to-right) texts keep their
// direction, so "opt out." does not read ".opt out"; texts a theme writes
// in the page's script take the page's direction.
func TestTextsKeepTheirDirectionOnARightToLeftPage(t *testing.T) {
	ctx := newBrowser(t)
	cases := []struct{ attrs, want string }{
		{`data-channels="both"`, "ltr ltr"},
		{`data-text-button="أعلمني عند توفره" data-text-title="أعلمني عند عودته"`, "rtl rtl"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, rtlPage(t, s, c.attrs))
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			if c.want == "ltr ltr" {
				browsertest.Screenshot(t, ctx, "snippet-form-rtl-page")
			}
			if got := eval[string](t, ctx, `getComputedStyle(button()).direction + " " + getComputedStyle(form().querySelector("h2")).direction`); got != c.want {
				t.Errorf("button and form direction %q, want %q", got, c.want)
			}
		})
	}
}

// On a page in a language without built-in texts (Dutch), the built-in
// English texts are marked lang="en", so a screen reader speaks them as
// English; a text the theme gives (data-text-*) keeps the page's language.
func TestBuiltInTextsAreMarkedWithTheirLanguage(t *testing.T) {
	ctx := newBrowser(t)
	cases := []struct{ attrs, want string }{
		{``, "en en en en en"},
		{`data-text-button="Houd me op de hoogte" data-text-title="Laat het me weten" data-text-done="Bedankt!"`, "nl nl en en nl"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, languagePage(t, s, `lang="nl"`, c.attrs))
			spoken := `(el) => ["en", "nl"].find((l) => el.matches(":lang(" + l + ")")) || "none"`
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			do(t, ctx, chromedp.KeyEvent("shopper@example.com\r"))
			waitFor(t, ctx, `events("subscribed").length == 1`)
			got := eval[string](t, ctx, `[button(), form().querySelector("h2"), form().querySelector("label[for=e]"),
				form().querySelector("button[type=submit]"), status()].map(`+spoken+`).join(" ")`)
			if got != c.want {
				t.Errorf("languages of the button, title, email label, submit and status: %q, want %q", got, c.want)
			}
		})
	}
}

// Without data-country, the phone country is the locale's region, else the
// browser's language's region (a shopper on a French page with a British
// browser gets the United Kingdom), else the United States. A country the
// select does not list is passed over for the next (a Ukrainian page, or a
// theme's country that is only part of a listed one's code, F), never left
// to select the list's first country.
func TestPhoneCountryFallsBackToTheBrowsersRegion(t *testing.T) {
	ctx := newBrowser(t)
	beforeScripts(t, ctx, `Object.defineProperty(navigator, "language", {get: () => "en-GB"});`)
	for _, c := range []struct{ html, attrs, want string }{
		{`lang="fr-CA"`, "", "CA"}, {`lang="fr"`, "", "GB"}, {`lang="sk-SK"`, "", "SK"},
		{`lang="uk-UA"`, "", "GB"}, {`lang="fr-CA"`, `data-country="XX"`, "CA"},
		{`lang="fr-CA"`, `data-country="F"`, "CA"}, {`lang="fr-CA"`, `data-country="FR33"`, "CA"},
	} {
		t.Run(c.html+c.attrs, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, languagePage(t, s, c.html, `data-channels="sms" `+c.attrs))
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			if got := eval[string](t, ctx, `field("country").value`); got != c.want {
				t.Errorf("phone country %q, want %q", got, c.want)
			}
		})
	}
}

// The close button sits at the end of the form's first line in the form's
// own direction: on the right in a left-to-right form, on the left in a
// right-to-left one (texts the theme writes in Arabic). The title keeps
// clear of it, and the off-screen honeypot makes no sideways scrolling.
func TestCloseButtonFollowsTheFormsDirection(t *testing.T) {
	ctx := newBrowser(t)
	cases := []struct{ attrs, want string }{
		{`data-channels="both"`, "ltr right clear no-scroll"},
		{`data-channels="both" data-text-button="أعلمني عند توفره" data-text-title="أعلمني عند عودته"`, "rtl left clear no-scroll"},
	}
	for _, c := range cases {
		t.Run(c.want[:3], func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, rtlPage(t, s, c.attrs))
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			got := eval[string](t, ctx, `(() => {
				const d = dialog(), x = form().querySelector(".x").getBoundingClientRect(), box = d.getBoundingClientRect();
				const title = form().querySelector("h2").getBoundingClientRect();
				const clear = title.right <= x.left || title.left >= x.right;
				return [getComputedStyle(d).direction, x.left + x.width / 2 < box.left + box.width / 2 ? "left" : "right",
					clear ? "clear" : "overlap", d.scrollWidth > d.clientWidth ? "scrolls" : "no-scroll"].join(" ");
			})()`)
			if got != c.want {
				t.Errorf("form direction, close side, title and scrolling: %q, want %q", got, c.want)
			}
		})
	}
}

// A right-to-left form (the theme wrote its title in Arabic) keeps the
// built-in texts it did not translate left to right: the English consent
// ends "opt out.", not ".opt out", and so does the status line.
func TestBuiltInTextsReadLeftToRightInARightToLeftForm(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, rtlPage(t, s, `data-channels="both" data-text-title="أعلمني عند عودته"`))
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("\r")) // nothing given: the built-in "missing" text
	waitFor(t, ctx, `status().textContent != ""`)
	got := eval[string](t, ctx, `[dialog(), form().querySelector("h2"), field("sms_consent").nextElementSibling, form().querySelector("label[for=e]"), status()]
		.map((el) => getComputedStyle(el).direction).join(" ")`)
	if want := "rtl rtl ltr ltr ltr"; got != want {
		t.Errorf("directions of the form, title, consent, email label and status %q, want %q", got, want)
	}
}

// A marked product with no variant chosen yet has nothing to subscribe to,
// whatever its availability says (a theme may print false until a size is
// picked): it gets no button, and with placement replace its add-to-cart
// button stays; once a sold-out variant is chosen the button shows, and
// goes again when the choice is cleared.
func TestMarkedProductWithoutAVariantShowsNoButton(t *testing.T) {
	s := newStorefront(t, "")
	s.shop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="shop-key-123" data-placement="replace" data-anchor="#add" defer></script></head>
<body><div id="product" data-stockbell-variant="" data-stockbell-available="false"><button id="add" disabled>Choose a size</button></div></body></html>`, s.app.URL)
	})
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL)
	if got := eval[string](t, ctx, `JSON.stringify(events("ready")[0].detail)`); got != `{"variantId":"","soldOut":false}` {
		t.Errorf("stockbell:ready detail %s", got)
	}
	const noButton = `!shown(button()) && shown(document.getElementById("add"))`
	if !eval[bool](t, ctx, noButton) {
		t.Error("a product with no variant chosen shows the button in place of its add-to-cart button")
	}
	choose := func(variant string) {
		eval[chromedp.Void](t, ctx, `document.getElementById("product").setAttribute("data-stockbell-variant", "`+variant+`")`)
	}
	choose("V1")
	waitFor(t, ctx, `shown(button()) && !shown(document.getElementById("add"))`)
	choose("")
	waitFor(t, ctx, noButton)
}

// A [data-stockbell-button] the theme marks wins over the placement: with
// replace the button goes into it, and the add-to-cart button stays.
func TestButtonContainerWinsOverReplacePlacement(t *testing.T) {
	s := newStorefront(t, "")
	s.shop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="shop-key-123" data-placement="replace" data-anchor="#add" defer></script></head>
<body><div data-stockbell-variant="V1" data-stockbell-available="false"><button id="add" disabled>Sold out</button><div id="slot" data-stockbell-button></div></div></body></html>`, s.app.URL)
	})
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL)
	waitFor(t, ctx, `shown(button())`)
	if got := eval[string](t, ctx, `host().parentElement.id + " " + shown(document.getElementById("add"))`); got != "slot true" {
		t.Errorf("button's parent and add-to-cart shown: %q, want the container and the add-to-cart button shown", got)
	}
}
