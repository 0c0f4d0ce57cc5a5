package snippet

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

func TestShopifyButtonFollowsTheVariantAndSubscribes(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/tee")

	if eval[bool](t, ctx, `shown(button())`) {
		t.Fatal("the button shows on the in-stock variant")
	}
	below := eval[float64](t, ctx, `document.getElementById("description").getBoundingClientRect().top`)

	selectVariant(t, ctx, soldOut)
	waitFor(t, ctx, `shown(button())`)
	if got := eval[string](t, ctx, `button().textContent`); got != "Notify me when available" {
		t.Errorf("button text %q", got)
	}
	if got := eval[string](t, ctx, `location.search`); got != "?variant="+soldOut {
		t.Errorf("url %q", got)
	}
	if after := eval[float64](t, ctx, `document.getElementById("description").getBoundingClientRect().top`); after != below {
		t.Errorf("showing the button moved the page: %v → %v", below, after)
	}
	if got := eval[string](t, ctx, `getComputedStyle(button()).backgroundColor + " " + getComputedStyle(button()).fontSize`); got == "rgb(255, 105, 180) 30px" {
		t.Error("theme CSS reached the snippet's button")
	}

	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	if got := eval[string](t, ctx, `dialog().getAttribute("role") + " " + dialog().getAttribute("aria-modal") + " " + describe(active())`); got != "dialog true email" {
		t.Errorf("dialog role, aria-modal, focus: %q", got)
	}
	if eval[bool](t, ctx, `!!field("phone") || !!field("sms_consent")`) {
		t.Error("phone fields shown although only email is offered")
	}
	do(t, ctx, chromedp.KeyEvent("shopper@example.com"))
	browsertest.Screenshot(t, ctx, "snippet-form-open")

	click(t, ctx, `form().querySelector("button[type=submit]")`)
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if got := eval[string](t, ctx, `status().textContent`); got != "Thanks! We'll email you when it's back." {
		t.Errorf("status %q", got)
	}
	if eval[bool](t, ctx, `shown(field("email"))`) {
		t.Error("the form fields stay after subscribing")
	}
	if got := eval[string](t, ctx, `JSON.stringify(events("subscribed")[0].detail)`); got != `{"variantId":"`+soldOut+`","created":true,"subscription":{"id":42,"status":"queued","channels":["email"]}}` {
		t.Errorf("stockbell:subscribed detail %s", got)
	}
	posts := s.posts()
	if len(posts) != 1 {
		t.Fatalf("%d requests reached the endpoint, want exactly one POST (no preflight): %+v", len(posts), posts)
	}
	p := posts[0]
	if p.Method != "POST" || p.ContentType != "text/plain" || p.Origin != s.shop.URL {
		t.Errorf("request %s %q from %q", p.Method, p.ContentType, p.Origin)
	}
	wantJSON(t, p.Body, map[string]any{
		"shop": "test-shop.myshopify.com", "variant_id": soldOut, "email": "shopper@example.com", "phone": "",
		"channels": []string{"email"}, "sms_consent": false, "marketing_consent": false, "locale": "en",
	})

	do(t, ctx, chromedp.KeyEvent("\u001b"))
	waitFor(t, ctx, `!dialog().open`)
	selectVariant(t, ctx, inStock)
	waitFor(t, ctx, `!shown(button())`)
	if after := eval[float64](t, ctx, `document.getElementById("description").getBoundingClientRect().top`); after != below {
		t.Errorf("hiding the button moved the page: %v → %v", below, after)
	}
}

func TestAlreadySubscribedShowsItsOwnState(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/tee?variant="+soldOut)
	waitFor(t, ctx, `shown(button())`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("taken@example.com\r"))
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if got := eval[string](t, ctx, `status().textContent`); got != "You're already on the list for this item." {
		t.Errorf("status %q", got)
	}
	if eval[bool](t, ctx, `events("subscribed")[0].detail.created`) {
		t.Error("a 200 answer is reported as created")
	}
}

func TestServerErrorShowsItsMessageAndMarksTheField(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/tee?variant="+soldOut)
	waitFor(t, ctx, `shown(button())`)
	eval[chromedp.Void](t, ctx, `Stockbell.open({variantId: "`+soldOut+`"})`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("bounce@example.com\r"))
	waitFor(t, ctx, `events("error").length == 1`)
	got := eval[string](t, ctx, `[status().textContent, status().className, field("email").getAttribute("aria-invalid"),
		field("email").getAttribute("aria-describedby"), describe(active()), shown(field("email"))].join("|")`)
	if got != "This address cannot receive email.|m e|true|m|email|true" {
		t.Errorf("error state %q", got)
	}
	if got := eval[string](t, ctx, `JSON.stringify(events("error")[0].detail)`); got != `{"variantId":"`+soldOut+`","status":422,"code":"EINVALID","message":"This address cannot receive email.","field":"email"}` {
		t.Errorf("stockbell:error detail %s", got)
	}
	// The shopper corrects the address and succeeds.
	eval[chromedp.Void](t, ctx, `field("email").select()`)
	do(t, ctx, chromedp.KeyEvent("fixed@example.com\r"))
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if eval[bool](t, ctx, `form().querySelector("[aria-invalid]") != null`) {
		t.Error("the field stays marked invalid after a successful retry")
	}
	// Nor is it still described by the status line, which now says something else.
	if eval[bool](t, ctx, `form().querySelector("[aria-describedby]") != null`) {
		t.Error("the field stays described by the status line after a successful retry")
	}
}

func TestNoRequestBeyondDetectionWhenNothingIsSoldOut(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/socks")
	open(t, ctx, s.shop.URL+"/")
	open(t, ctx, s.shop.URL+"/pages/custom?available=true")
	eval[chromedp.Void](t, ctx, `document.body.click()`)
	app, shop := s.seen()
	wantShop := []string{"/products/socks", "/products/socks.js", "/", "/pages/custom?available=true"}
	for _, r := range app { // the snippet itself, once per page or once cached
		if r != "GET /snippet.js" {
			t.Errorf("app requests %q, want only the snippet", app)
			break
		}
	}
	if !equal(shop, wantShop) {
		t.Errorf("shop requests %q, want %q", shop, wantShop)
	}
	if eval[bool](t, ctx, `host() != null`) {
		t.Error("a button was inserted on a page with nothing sold out")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReplacePlacementUnderALocalisedRoot(t *testing.T) {
	s := newStorefront(t, `data-placement="replace"`)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/fr/products/tee")
	if got := eval[string](t, ctx, `Shopify.routes.root`); got != "/fr/" {
		t.Fatalf("routes.root %q", got)
	}
	state := `[shown(document.getElementById("add")), shown(button()), getComputedStyle(host()).display].join(" ")`
	if got := eval[string](t, ctx, state); got != "true false none" {
		t.Errorf("in stock: add-to-cart shown, notify shown, notify display = %q", got)
	}
	selectVariant(t, ctx, soldOut)
	waitFor(t, ctx, `shown(button())`)
	if got := eval[string](t, ctx, state); got != "false true block" {
		t.Errorf("sold out: %q", got)
	}
	selectVariant(t, ctx, inStock)
	waitFor(t, ctx, `!shown(button())`)
	if got := eval[string](t, ctx, state+` + " " + document.getElementById("add").style.display`); got != "true false none " {
		t.Errorf("back in stock: %q", got)
	}
	if _, shop := s.seen(); !equal(shop, []string{"/fr/products/tee", "/fr/products/tee.js"}) {
		t.Errorf("shop requests %q", shop)
	}
}

// shopifyTheme serves a Shopify product page (/products/tee) of a theme
// that is not Dawn: body is its product markup; the script tag carries the
// storefront's attributes.
func shopifyTheme(t *testing.T, s *storefront, body string) string {
	t.Helper()
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/products/tee.js" {
			r.SetPathValue("file", "tee.js")
			s.product(w, r)
			return
		}
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.Shopify = {routes: {root: "/"}};
window.stockbellEvents = []; document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="test-shop.myshopify.com" %s defer></script></head><body><h1>Tee</h1>%s</body></html>`, s.app.URL, s.attrs, body)
	}))
	t.Cleanup(shop.Close)
	return shop.URL + "/products/tee"
}

// radioPicker lists the variants as radio buttons named id in the cart
// form, the sold-out size first and the first available one checked, as
// Shopify's selected_or_first_available_variant renders it.
const radioPicker = `<form action="/cart/add" method="post">
<label><input type="radio" name="id" value="` + soldOut + `"> M (sold out)</label>
<label><input type="radio" name="id" value="` + inStock + `" checked> S</label>
<button type="submit" name="add" id="add">Add to cart</button></form>`

// A theme whose variant picker is radio buttons named id: the snippet
// starts from the checked one, not the first of the list.
func TestShopifyRadioPickerStartsFromTheCheckedVariant(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, shopifyTheme(t, s, radioPicker))
	if got := eval[string](t, ctx, `events("ready")[0].detail.variantId + " " + shown(button())`); got != inStock+" false" {
		t.Errorf("ready on %q, want the checked in-stock variant and no button", got)
	}
	click(t, ctx, `document.querySelector("input[value='`+soldOut+`']")`)
	waitFor(t, ctx, `shown(button())`)
}

// Stockbell.configure re-renders the buttons: leaving the replace placement
// while a sold-out variant is selected brings the add-to-cart button back.
func TestConfigureOutOfReplacePlacementShowsTheAddToCartButton(t *testing.T) {
	s := newStorefront(t, `data-placement="replace"`)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/tee?variant="+soldOut)
	waitFor(t, ctx, `shown(button()) && !shown(document.getElementById("add"))`)
	for _, placement := range []string{"after", "inside"} {
		eval[chromedp.Void](t, ctx, `Stockbell.configure({placement: "replace"})`)
		waitFor(t, ctx, `shown(button()) && !shown(document.getElementById("add"))`)
		eval[chromedp.Void](t, ctx, `Stockbell.configure({placement: "`+placement+`"})`)
		if got := eval[string](t, ctx, `shown(document.getElementById("add")) + " " + shown(button())`); got != "true true" {
			t.Errorf("after configure({placement: %q}): add-to-cart and notify shown %q, want both", placement, got)
		}
	}
}

// A theme whose variant select sits outside the cart form and belongs to it
// through form="…" (and does not touch the URL): the snippet reads and
// follows it as a field of the form.
func TestShopifyPickerTiedToTheCartFormByItsFormAttribute(t *testing.T) {
	s := newStorefront(t, `data-anchor="#add"`)
	ctx := newBrowser(t)
	open(t, ctx, shopifyTheme(t, s, `<select name="id" form="product-form"><option value="`+inStock+`">S</option>
<option value="`+soldOut+`" selected>M</option></select><form id="product-form" action="/cart/add" method="post"></form>
<button type="submit" form="product-form" id="add">Add to cart</button>`))
	if got := eval[string](t, ctx, `events("ready")[0].detail.variantId + " " + shown(button())`); got != soldOut+" true" {
		t.Errorf("ready on %q, want the selected sold-out variant with its button", got)
	}
	eval[chromedp.Void](t, ctx, `(() => { const s = document.querySelector("select"); s.value = "`+inStock+`"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	waitFor(t, ctx, `!shown(button())`)
}

// A theme whose variant picker only writes the address (history.pushState
// with ?variant=, no change event): the snippet follows it, and follows
// the shopper's Back and Forward (popstate) too. The picker is pressed, as
// a shopper does: Chromium's Back skips entries a page pushed without one.
func TestShopifyVariantFollowedThroughPushStateAndPopstate(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, shopifyTheme(t, s, `<button id="size-m" type="button" onclick="history.pushState({}, '', '?variant=`+soldOut+`')">M</button>
<form action="/cart/add" method="post"><input type="hidden" name="id" value="`+inStock+`">
<button type="submit" name="add" id="add">Add to cart</button></form>`)+"?variant="+inStock)
	if got := eval[string](t, ctx, `events("ready")[0].detail.variantId + " " + shown(button())`); got != inStock+" false" {
		t.Errorf("ready on %q, want the address's in-stock variant and no button", got)
	}
	click(t, ctx, `document.getElementById("size-m")`)
	waitFor(t, ctx, `shown(button())`)
	eval[chromedp.Void](t, ctx, `history.back()`)
	waitFor(t, ctx, `location.search == "?variant=`+inStock+`" && !shown(button())`)
	eval[chromedp.Void](t, ctx, `history.forward()`)
	waitFor(t, ctx, `shown(button())`)
	eval[chromedp.Void](t, ctx, `Stockbell.open()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("shopper@example.com\r"))
	if got := waitReceived(t, s.posts, 1)[0].Body; !strings.Contains(got, `"variant_id":"`+soldOut+`"`) {
		t.Errorf("subscribed with %s, want the variant the address names", got)
	}
}
