package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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

// TestStartPageStepsSpaceTheirButtons: on the start page, at a desktop's
// and a phone's width, each step's button stands as far below the step's
// text as the first step's does, rather than touching it.
func TestStartPageStepsSpaceTheirButtons(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	for _, width := range []int64{1280, 390} {
		browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
		browse(t, ctx, m.URL()+"/", "ol.loop")
		gaps := browsertest.Eval[[]float64](t, ctx, `[...document.querySelectorAll("ol.loop > li")].filter((li) => li.querySelector("a.button, button")).map((li) => {
			const button = li.querySelector("a.button, button"), holder = [...li.children].find((c) => c.contains(button));
			const text = document.createRange();
			text.setStart(li, 0);
			text.setEndBefore(holder);
			const bottom = Math.max(...[...text.getClientRects()].filter((r) => r.height > 0).map((r) => r.bottom));
			return Math.round(button.getBoundingClientRect().top - bottom);
		})`)
		if len(gaps) < 2 {
			t.Fatalf("at %d px the start page has %d steps with a button, want 2", width, len(gaps))
		}
		for i, gap := range gaps[1:] {
			if gap < gaps[0]-1 || gap > gaps[0]+1 {
				t.Errorf("at %d px step %d's button is %v px below its text, step 1's %v px", width, i+2, gap, gaps[0])
			}
		}
	}
}
