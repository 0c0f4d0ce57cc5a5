package snippet

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

// notifyButtonNames lists the accessible names of the notify buttons, as
// the browser computes them for assistive technology, in page order.
func notifyButtonNames(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var names []string
	for _, name := range browsertest.ButtonNames(t, ctx) {
		if strings.HasPrefix(name, "Notify me") {
			names = append(names, name)
		}
	}
	return names
}

// gridPage serves a collection grid: three sold-out products, the first
// two naming themselves with data-stockbell-name, the third not.
func gridPage(s *storefront, attrs string) string {
	s.shop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="shop-key-123" %s defer></script></head><body><h1>Sweaters</h1><ul>
<li><h2>Red sweater</h2><div data-stockbell-variant="R" data-stockbell-available="false" data-stockbell-name="Red sweater"></div></li>
<li><h2>Blue sweater &amp; scarf</h2><div data-stockbell-variant="B" data-stockbell-available="false" data-stockbell-name="Blue sweater &amp; scarf"></div></li>
<li><h2>Gift card</h2><div data-stockbell-variant="G" data-stockbell-available="false"></div></li>
</ul></body></html>`, s.app.URL, attrs)
	})
	return s.shop.URL
}

// Several notify buttons on one page are told apart by screen readers: each
// product that names itself is in its button's accessible name, after the
// visible label (which stays as it was, so voice control still finds it).
func TestButtonsNameTheirProduct(t *testing.T) {
	ctx := newBrowser(t)
	cases := []struct {
		name, attrs string
		want        []string
	}{
		{"built-in label", "", []string{
			"Notify me when available – Red sweater", "Notify me when available – Blue sweater & scarf", "Notify me when available"}},
		{"theme's label", `data-text-button="Notify me when back"`, []string{
			"Notify me when back – Red sweater", "Notify me when back – Blue sweater & scarf", "Notify me when back"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, gridPage(s, c.attrs))
			waitFor(t, ctx, `document.querySelectorAll("stockbell-button").length == 3`)
			if got := notifyButtonNames(t, ctx); !slices.Equal(got, c.want) {
				t.Errorf("accessible names %q, want %q", got, c.want)
			}
			label := c.want[2] // the unnamed product's button has the label alone
			visible := eval[[]string](t, ctx, `[...document.querySelectorAll("stockbell-button")].map((h) => h.shadowRoot.querySelector("button").textContent)`)
			if !slices.Equal(visible, []string{label, label, label}) {
				t.Errorf("visible labels %q, want %q on each", visible, label)
			}
		})
	}
}

// On a Shopify product page the button names the product the snippet read
// from the product's JSON.
func TestShopifyButtonNamesTheProduct(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/tee?variant="+soldOut)
	waitFor(t, ctx, `shown(button())`)
	if got := notifyButtonNames(t, ctx); !slices.Equal(got, []string{"Notify me when available – tee"}) {
		t.Errorf("accessible names %q", got)
	}
}
