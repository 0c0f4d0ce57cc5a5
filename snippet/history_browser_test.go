package snippet

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The Shopify product's selected variant follows the page's address: a
// new ?variant= names it, and an address without one (Back to the page as
// it loaded, a control that pushes the bare product address) shows what
// the theme now shows, as on first load: the cart form's id field, else the
// first available variant. An address whose ?variant= did not change (a
// hash, another parameter) leaves the variant the shopper picked, and
// another product's page is not this product's.

// addressPicker is a theme whose variant picker writes the address
// (history.pushState with ?variant=) and sets the cart form's id field
// without a change event. On Back and Forward it shows the address's
// variant, else the one it renders the page with (rendered), as such
// themes do; Reset goes back to the rendered one and pushes the bare
// product address.
func addressPicker(rendered string) string {
	return `<button id="size-s" type="button" onclick="pick('` + inStock + `')">S</button>
<button id="size-m" type="button" onclick="pick('` + soldOut + `')">M</button>
<button id="reset" type="button" onclick="field.value = '` + rendered + `'; history.pushState({}, '', location.pathname)">Reset</button>
<form action="/cart/add" method="post"><input type="hidden" name="id" value="` + rendered + `">
<button type="submit" name="add" id="add">Add to cart</button></form>
<script>
const field = document.querySelector("[name=id]");
function pick(id) { field.value = id; history.pushState({}, "", "?variant=" + id); }
addEventListener("popstate", () => { field.value = new URLSearchParams(location.search).get("variant") || "` + rendered + `"; });
</script>`
}

// Back to the address the page loaded at, which has no ?variant=, follows
// the cart form's field, whether the theme renders the page with an
// available variant or a sold-out one. The picker is pressed, as a shopper
// does: Chromium's Back skips entries a page pushed without one.
func TestShopifyBackToAnAddressWithoutVariantFollowsTheCartForm(t *testing.T) {
	for _, c := range []struct{ rendered, press, other string }{
		{inStock, "size-m", soldOut},
		{soldOut, "size-s", inStock},
	} {
		t.Run(c.rendered, func(t *testing.T) {
			s := newStorefront(t, "")
			ctx := newBrowser(t)
			open(t, ctx, shopifyTheme(t, s, addressPicker(c.rendered)))
			shownOn := map[string]string{inStock: "!shown(button())", soldOut: "shown(button())"}
			waitFor(t, ctx, shownOn[c.rendered])
			click(t, ctx, `document.getElementById("`+c.press+`")`)
			waitFor(t, ctx, `location.search == "?variant=`+c.other+`" && `+shownOn[c.other])
			eval[chromedp.Void](t, ctx, `history.back()`)
			waitFor(t, ctx, `location.search == "" && `+shownOn[c.rendered])
			eval[chromedp.Void](t, ctx, `history.forward()`)
			waitFor(t, ctx, `location.search == "?variant=`+c.other+`" && `+shownOn[c.other])
		})
	}
}

// A theme whose cart form has no id field: Back to an address without
// ?variant= follows the first available variant, as the page's first load did.
func TestShopifyBackToAnAddressWithoutVariantFollowsTheFirstAvailable(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, shopifyTheme(t, s, `<button id="size-m" type="button" onclick="history.pushState({}, '', '?variant=`+soldOut+`')">M</button>
<form action="/cart/add" method="post"><button type="submit" name="add" id="add">Add to cart</button></form>`))
	if got := eval[string](t, ctx, `events("ready")[0].detail.variantId + " " + shown(button())`); got != inStock+" false" {
		t.Errorf("ready on %q, want the first available variant and no button", got)
	}
	click(t, ctx, `document.getElementById("size-m")`)
	waitFor(t, ctx, `shown(button())`)
	eval[chromedp.Void](t, ctx, `history.back()`)
	waitFor(t, ctx, `location.search == "" && !shown(button())`)
}

// A control that pushes the bare product address (the theme's Reset)
// follows the cart form's field, not the last ?variant= seen; Back to the
// sold-out variant's address shows the button again.
func TestShopifyAddressPushedWithoutVariantFollowsTheCartForm(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, shopifyTheme(t, s, addressPicker(inStock)))
	click(t, ctx, `document.getElementById("size-m")`)
	waitFor(t, ctx, `shown(button())`)
	click(t, ctx, `document.getElementById("reset")`)
	waitFor(t, ctx, `location.search == "" && !shown(button())`)
	eval[chromedp.Void](t, ctx, `history.back()`)
	waitFor(t, ctx, `location.search == "?variant=`+soldOut+`" && shown(button())`)
}

// A theme whose picker does not touch the address, on a page opened at
// ?variant= (a link to the in-stock variant): a link to a part of the page
// (#reviews), and Back from it, change only the hash. The variant the
// shopper picked since stays followed; the address's older ?variant= does
// not come back.
func TestShopifyHashChangeKeepsThePickedVariant(t *testing.T) {
	s := newStorefront(t, `data-anchor="#add"`)
	ctx := newBrowser(t)
	open(t, ctx, shopifyTheme(t, s, `<select name="id" form="product-form"><option value="`+inStock+`" selected>S</option>
<option value="`+soldOut+`">M</option></select><form id="product-form" action="/cart/add" method="post"></form>
<button type="submit" form="product-form" id="add">Add to cart</button>
<p><a id="to-reviews" href="#reviews">Reviews</a></p><h2 id="reviews">Reviews</h2>
<script>window.moves = []; for (const name of ["popstate", "hashchange"]) addEventListener(name, () => moves.push(name));</script>`)+
		"?variant="+inStock)
	if eval[bool](t, ctx, `shown(button())`) {
		t.Fatal("the button shows on the in-stock variant the address names")
	}
	eval[chromedp.Void](t, ctx, `(() => { const s = document.querySelector("select"); s.value = "`+soldOut+`"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	waitFor(t, ctx, `shown(button())`)
	// hashchange comes after popstate, whose handlers (the snippet's among
	// them) have run by then, and so has the render they schedule.
	click(t, ctx, `document.getElementById("to-reviews")`)
	waitFor(t, ctx, `moves.join() == "popstate,hashchange"`)
	if !eval[bool](t, ctx, `shown(button())`) {
		t.Error("a hash change brought back the address's in-stock variant over the one picked")
	}
	eval[chromedp.Void](t, ctx, `history.back()`)
	waitFor(t, ctx, `moves.length == 4`)
	if !eval[bool](t, ctx, `location.hash == "" && shown(button())`) {
		t.Error("Back from the hash brought back the address's in-stock variant over the one picked")
	}
}

// routedTheme is a storefront whose router swaps the page's content on a
// client-side navigation (history.pushState) and swaps it back on Back: the
// tee's page, with a picker writing ?variant=, links to the socks' page.
const routedTheme = `<div id="page"><h1>Tee</h1>
<button id="size-m" type="button" onclick="history.pushState({}, '', '?variant=` + soldOut + `')">M</button>
<button id="to-socks" type="button" onclick="go('/products/socks', socks)">Socks</button>
<form action="/cart/add" method="post"><input type="hidden" name="id" value="` + inStock + `">
<button type="submit" name="add" id="add">Add to cart</button></form></div>
<script>
const page = document.getElementById("page"), tee = page.innerHTML;
const socks = '<h1>Socks</h1><form action="/cart/add" method="post"><input type="hidden" name="id" value="44000000000333">' +
  '<button type="submit" name="add" id="add">Add to cart</button></form>';
function go(path, html) { history.pushState({}, "", path); page.innerHTML = html; }
addEventListener("popstate", () => { page.innerHTML = location.pathname.endsWith("/socks") ? socks : tee; });
</script>`

// After a client-side navigation to another product's page, the tee's
// sold-out variant shows no button there; Back to the tee's address shows
// it again.
func TestShopifyAnotherProductsPageShowsNoButtonForThisOne(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, shopifyTheme(t, s, routedTheme))
	click(t, ctx, `document.getElementById("size-m")`)
	waitFor(t, ctx, `shown(button())`)
	click(t, ctx, `document.getElementById("to-socks")`)
	waitFor(t, ctx, `location.pathname == "/products/socks" && document.querySelector("#page h1").textContent == "Socks" && !shown(button())`)
	eval[chromedp.Void](t, ctx, `history.back()`)
	waitFor(t, ctx, `location.search == "?variant=`+soldOut+`" && document.querySelector("#page h1").textContent == "Tee" && shown(button())`)
}
