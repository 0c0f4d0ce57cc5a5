package main

import (
	"strings"
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestDemoAddToCartSaysThereIsNoCart: the demo product page's Add to cart
// button, pressed on a size in stock, says in a status line that the demo
// has no cart and where to go instead, rather than doing nothing visible.
func TestDemoAddToCartSaysThereIsNoCart(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/demo", "[data-stockbell-variant]")
	browsertest.WaitFor(t, ctx, `document.readyState == "complete"`)
	browsertest.Click(t, ctx, `document.querySelector("[data-add]")`)
	const note = `document.querySelector("[data-cart-note]")`
	browsertest.WaitFor(t, ctx, note+` && `+note+`.checkVisibility() && `+note+`.textContent.trim() != ""`)
	if role := browsertest.Eval[string](t, ctx, note+`.getAttribute("role") || ""`); role != "status" {
		t.Errorf("the note after Add to cart has role %q, want status so that screen readers announce it", role)
	}
	if got := text(t, ctx, "[data-cart-note]"); !strings.Contains(got, "no cart") || !strings.Contains(got, "sold-out") {
		t.Errorf("the note after Add to cart reads %q, want it to say the demo has no cart and to try a sold-out size", got)
	}
}
