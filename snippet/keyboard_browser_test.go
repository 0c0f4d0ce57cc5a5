package snippet

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

var (
	tabTo        = browsertest.TabTo
	focused      = browsertest.Focused
	waitForFocus = browsertest.WaitForFocus
)

func TestKeyboardOnlyShopperSubscribes(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/tee")

	// The variant select, then ArrowDown to the sold-out size.
	tabTo(t, ctx, "options[Size]")
	do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
	waitFor(t, ctx, `shown(button())`)
	if got := eval[string](t, ctx, `document.querySelector("[name=id]").value + location.search`); got != soldOut+"?variant="+soldOut {
		t.Errorf("form id and url after ArrowDown: %q", got)
	}
	tabTo(t, ctx, "b") // the disabled "Sold out" button is skipped; ours is next
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, `dialog() && dialog().open`)
	if got := focused(t, ctx); got != "email" {
		t.Fatalf("focus on %q after opening, want the email field", got)
	}

	// The focus trap: Tab past the last control wraps to the first, Shift+Tab back.
	do(t, ctx, chromedp.KeyEvent(kb.Tab))
	if got := focused(t, ctx); got != "s" {
		t.Errorf("Tab from email reached %q, want the submit button (the honeypot is skipped)", got)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Tab))
	if got := focused(t, ctx); got != "x" {
		t.Errorf("Tab from the last control reached %q, want the close button", got)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	if got := focused(t, ctx); got != "s" {
		t.Errorf("Shift+Tab from the first control reached %q, want the submit button", got)
	}

	// Escape closes and gives focus back to the button.
	do(t, ctx, chromedp.KeyEvent(kb.Escape))
	waitFor(t, ctx, `!dialog().open`)
	waitForFocus(t, ctx, "b")

	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("keys@example.com"))
	tabTo(t, ctx, "s")
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if got := eval[string](t, ctx, `status().textContent + "|" + describe(active())`); got != "Thanks! We'll email you when it's back.|x" {
		t.Errorf("after submitting: %q", got)
	}
	posts := s.posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	wantJSON(t, posts[0].Body, map[string]any{
		"shop": "test-shop.myshopify.com", "variant_id": soldOut, "email": "keys@example.com", "phone": "",
		"channels": []string{"email"}, "sms_consent": false, "marketing_consent": false, "locale": "en",
	})
	do(t, ctx, chromedp.KeyEvent(kb.Enter)) // the focused close button
	waitFor(t, ctx, `!dialog().open`)
}

// formOpenedByKeyboard opens the Dawn-like product page on its sold-out
// variant, tabs to the notify button and opens the form with Enter.
func formOpenedByKeyboard(t *testing.T) context.Context {
	t.Helper()
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/products/tee?variant="+soldOut)
	tabTo(t, ctx, "b")
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, `dialog() && dialog().open`)
	return ctx
}

// A field marked invalid keeps a visible focus: its outline when focused
// differs from its outline when focus has moved on, so a keyboard user who
// tabs back to it sees where they are.
func TestInvalidFieldShowsItsFocus(t *testing.T) {
	ctx := formOpenedByKeyboard(t)
	do(t, ctx, chromedp.KeyEvent("not-an-address\r"))
	waitFor(t, ctx, `field("email").getAttribute("aria-invalid") == "true"`)
	const outline = `(() => { const s = getComputedStyle(field("email")); return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.outlineOffset].join(" "); })()`
	if f := focused(t, ctx); f != "email" {
		t.Fatalf("focus on %q after the refused submit, want the email field", f)
	}
	focusedOutline := eval[string](t, ctx, outline)
	do(t, ctx, chromedp.KeyEvent(kb.Tab))
	if f := focused(t, ctx); f == "email" {
		t.Fatal("Tab did not leave the email field")
	}
	if blurred := eval[string](t, ctx, outline); focusedOutline == blurred {
		t.Errorf("the invalid email field looks the same focused and not (outline %q)", blurred)
	}
}
