package snippet

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// featuredSocks is a second product's cart form on the tee's page, as
// Dawn's featured-product section or a related product's quick add
// prints it: its own variant field named id, which Dawn's picker updates
// with a bubbling change event.
const featuredSocks = `<section id="featured"><h2>Socks</h2><form method="post" action="/cart/add">
<select name="id" id="socks">` + `<option value="44000000000333">One size</option><option value="44000000000444">Kids</option></select>
<button type="submit" name="add">Add socks to cart</button></form></section>`

// twoFormsPage serves the Dawn-like tee page with the socks' form after
// its own.
func twoFormsPage(s *storefront) {
	mux := http.NewServeMux()
	mux.HandleFunc("/products/{file}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("file") != "tee" {
			s.product(w, r)
			return
		}
		page := httptest.NewRecorder()
		s.product(page, r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(strings.Replace(page.Body.String(), "</main>", featuredSocks+"</main>", 1)))
	})
	s.shop.Config.Handler = mux
}

// A page with a second product's cart form (a featured product, a quick
// add): choosing in that form is no choice of the page's product, whose
// sold-out variant keeps its button, and the subscription is the page's
// product's.
func TestAnotherProductsFormLeavesThePagesButton(t *testing.T) {
	s := newStorefront(t, "")
	twoFormsPage(s)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/tee")
	selectVariant(t, ctx, soldOut)
	waitFor(t, ctx, `shown(button())`)
	eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("socks"); s.value = "44000000000444";
		s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	// A frame for the snippet to re-render after the change.
	eval[chromedp.Void](t, ctx, `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`)
	if !eval[bool](t, ctx, `shown(button())`) {
		t.Fatal("choosing in the socks' form hid the tee's button for its sold-out size")
	}
	if got := eval[string](t, ctx, `document.querySelector("stockbell-button").previousElementSibling.id`); got != "add" {
		t.Errorf("the button follows %q, want the tee's add-to-cart button", got)
	}
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	click(t, ctx, `field("email")`)
	do(t, ctx, chromedp.KeyEvent("two@example.com\r"))
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if got := eval[string](t, ctx, `events("subscribed")[0].detail.variantId`); got != soldOut {
		t.Errorf("subscribed to %q, want the tee's sold-out size %s", got, soldOut)
	}
}
