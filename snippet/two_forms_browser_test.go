package snippet

import (
	"fmt"
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

// quickAddFirst serves, from the shop's server, a Dawn-like page of the
// product handle (/products/HANDLE) whose header shows another product's
// quick add (the socks' cart form with its own id field and add button)
// before the product's section, whose markup is section. The script tag
// carries the storefront's attributes.
func quickAddFirst(s *storefront, handle, section string) string {
	mux := http.NewServeMux()
	mux.HandleFunc("/products/{file}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("file") != handle {
			s.product(w, r)
			return
		}
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.Shopify = {routes: {root: "/"}};
window.stockbellEvents = []; for (const name of ["ready", "subscribed"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="test-shop.myshopify.com" %s defer></script></head><body>
<header><h2>Socks</h2><product-form><form method="post" action="/cart/add" id="quick-add-socks">
<input type="hidden" name="id" value="44000000000333"><button type="submit" name="add" id="socks-add">Add socks</button></form></product-form></header>
<main><h1>%s</h1>%s</main></body></html>`, s.app.URL, s.attrs, handle, section)
	})
	s.shop.Config.Handler = mux
	return s.shop.URL + "/products/" + handle
}

// productForm is the product section's cart form as Dawn prints it: a
// hidden id field holding the variant Shopify selects (id; none when
// empty) and the add-to-cart button.
func productForm(id string) string {
	field := ""
	if id != "" {
		field = `<input type="hidden" name="id" value="` + id + `">`
	}
	return `<product-form><form method="post" action="/cart/add" id="product-form">` + field +
		`<button type="submit" name="add" id="add">Add to cart</button></form></product-form>`
}

// On a page whose first cart form is another product's quick add, the
// variant the page starts from is the product's own: its cart form's id
// field, else the variant Shopify selects (the first available, else the
// first), never the quick add's. The tee renders its available size; the
// hoodie, every size sold out, its first, which gets the button.
func TestQuickAddBeforeTheProductFormLeavesThePagesVariant(t *testing.T) {
	const hoodieS = "44000000000555"
	for _, c := range []struct {
		name, handle, field, want string
	}{
		{"tee's field", "tee", inStock, inStock + " false"},
		{"tee without field", "tee", "", inStock + " false"},
		{"hoodie's field", "hoodie", hoodieS, hoodieS + " true"},
		{"hoodie without field", "hoodie", "", hoodieS + " true"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStorefront(t, "")
			ctx := newBrowser(t)
			open(t, ctx, quickAddFirst(s, c.handle, productForm(c.field)))
			waitFor(t, ctx, `events("ready").length == 1`)
			ready := `events("ready")[0].detail.variantId + " " + events("ready")[0].detail.soldOut`
			if got := eval[string](t, ctx, ready); got != c.want {
				t.Errorf("ready on %q, want %q", got, c.want)
			}
			soldOut := strings.HasSuffix(c.want, "true")
			if eval[bool](t, ctx, `shown(button())`) != soldOut {
				t.Fatalf("button shown: %v, want %v", !soldOut, soldOut)
			}
			if !soldOut {
				return
			}
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			click(t, ctx, `field("email")`)
			do(t, ctx, chromedp.KeyEvent("hoodie@example.com\r"))
			waitFor(t, ctx, `events("subscribed").length == 1`)
			if got := eval[string](t, ctx, `events("subscribed")[0].detail.variantId`); got != hoodieS {
				t.Errorf("subscribed to %q, want the hoodie's first size %s", got, hoodieS)
			}
		})
	}
}

// The button goes after the first add-to-cart button the anchor finds on
// the page, which the quick add's comes before: a data-anchor naming the
// product's own button puts it there, as docs/snippet.md advises.
func TestQuickAddBeforeTheProductFormWithTheProductsAnchor(t *testing.T) {
	s := newStorefront(t, `data-anchor="#product-form [name=add]"`)
	ctx := newBrowser(t)
	open(t, ctx, quickAddFirst(s, "hoodie", productForm("44000000000555")))
	waitFor(t, ctx, `shown(button())`)
	if got := eval[string](t, ctx, `document.querySelector("stockbell-button").previousElementSibling.id`); got != "add" {
		t.Errorf("the button follows %q, want the hoodie's add-to-cart button", got)
	}
}
