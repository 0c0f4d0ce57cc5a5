package snippet

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

const customAttrs = `data-channels="both" data-country="FR" data-marketing="true" data-color-accent="#0a5c36"`

func TestDataAttributePageInFrenchWithSMS(t *testing.T) {
	s := newStorefront(t, customAttrs)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom")

	waitFor(t, ctx, `shown(button())`)
	if got := eval[string](t, ctx, `button().textContent + "|" + host().style.getPropertyValue("--stockbell-accent") + "|" + getComputedStyle(button()).color`); got != "M'avertir quand disponible|#0a5c36|rgb(10, 92, 54)" {
		t.Errorf("button text, colour property, colour: %q", got)
	}
	if got := eval[string](t, ctx, `JSON.stringify(events("ready")[0].detail)`); got != `{"variantId":"PULL-ROUGE-M","soldOut":true}` {
		t.Errorf("stockbell:ready detail %s", got)
	}
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	if got := eval[string](t, ctx, `[field("country").value, field("country").selectedOptions[0].textContent, form().querySelector("label[for=n]").textContent].join("|")`); got != "FR|+33 France|Téléphone" {
		t.Errorf("country select and labels: %q", got)
	}

	// A phone without the SMS consent is refused before any request.
	click(t, ctx, `field("phone")`)
	do(t, ctx, chromedp.KeyEvent("06 12 34 56 78\r"))
	waitFor(t, ctx, `field("sms_consent").getAttribute("aria-invalid") == "true"`)
	if len(s.posts()) != 0 {
		t.Fatal("posted without SMS consent")
	}
	if eval[string](t, ctx, `status().textContent`) == "" {
		t.Error("no message explains the missing consent")
	}
	click(t, ctx, `field("sms_consent")`)
	click(t, ctx, `field("marketing_consent")`)
	click(t, ctx, `form().querySelector("button[type=submit]")`)
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if got := eval[string](t, ctx, `status().textContent`); got != "Merci\u00a0! Nous vous enverrons un SMS dès son retour." {
		t.Errorf("status %q", got)
	}
	wantJSON(t, s.posts()[0].Body, map[string]any{
		"shop": "shop-key-123", "variant_id": "PULL-ROUGE-M", "email": "", "phone": "+330612345678",
		"channels": []string{"sms"}, "sms_consent": true, "marketing_consent": true, "locale": "fr",
	})
	do(t, ctx, chromedp.KeyEvent("\u001b"))

	// The platform's script marks the variant available: the button hides
	// and keeps its box; back to sold out, it shows again.
	box := eval[float64](t, ctx, `document.getElementById("description").getBoundingClientRect().top`)
	eval[chromedp.Void](t, ctx, `document.querySelector("[data-stockbell-variant]").setAttribute("data-stockbell-available", "true")`)
	waitFor(t, ctx, `!shown(button())`)
	if after := eval[float64](t, ctx, `document.getElementById("description").getBoundingClientRect().top`); after != box {
		t.Errorf("hiding moved the page: %v → %v", box, after)
	}
	eval[chromedp.Void](t, ctx, `document.querySelector("[data-stockbell-variant]").setAttribute("data-stockbell-available", "false")`)
	waitFor(t, ctx, `shown(button())`)

	// A theme that re-renders the product block on variant change
	// (PrestaShop replaces its add-to-cart partial) gets one button, for the
	// new variant.
	eval[chromedp.Void](t, ctx, `document.querySelector(".product").outerHTML =
		'<div class="product" data-stockbell-variant="PULL-BLEU-L" data-stockbell-available="false"><button disabled>Épuisé</button></div>'`)
	waitFor(t, ctx, `document.querySelectorAll("stockbell-button").length == 1 && shown(button())`)
	eval[chromedp.Void](t, ctx, `Stockbell.open()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	click(t, ctx, `field("phone")`)
	do(t, ctx, chromedp.KeyEvent("06 99 88 77 66"))
	click(t, ctx, `field("sms_consent")`)
	do(t, ctx, chromedp.KeyEvent("\r"))
	waitFor(t, ctx, `events("subscribed").length == 2`)
	if got := eval[string](t, ctx, `events("subscribed")[1].detail.variantId`); got != "PULL-BLEU-L" {
		t.Errorf("subscribed to %q after the re-render", got)
	}
	do(t, ctx, chromedp.KeyEvent("\u001b"))

	// Stockbell.configure changes texts at run time.
	eval[chromedp.Void](t, ctx, `Stockbell.configure({strings: {button: "Prévenez-moi"}})`)
	waitFor(t, ctx, `button().textContent == "Prévenez-moi"`)
}

func TestHoneypotIsSentWhenFilled(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom")
	eval[chromedp.Void](t, ctx, `Stockbell.open({variantId: "PULL-ROUGE-M"})`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	eval[chromedp.Void](t, ctx, `(field("website").value = "http://spam.example", field("email").value = "bot@example.com")`)
	eval[chromedp.Void](t, ctx, `form().querySelector("form").requestSubmit()`)
	waitFor(t, ctx, `events("subscribed").length == 1`)
	wantJSON(t, s.posts()[0].Body, map[string]any{
		"shop": "shop-key-123", "variant_id": "PULL-ROUGE-M", "email": "bot@example.com", "phone": "",
		"channels": []string{"email"}, "sms_consent": false, "marketing_consent": false, "locale": "fr",
		"website": "http://spam.example",
	})
}

// overflowing lists what of the open form sticks out of a viewport the
// width given, in CSS pixels: the dialog, its controls, or the page.
func overflowing(width int) string {
	return fmt.Sprintf(`(() => {
		const out = [], d = dialog().getBoundingClientRect();
		if (d.left < 0 || d.right > %[1]d) out.push("dialog " + d.left + "–" + d.right);
		if (dialog().scrollWidth > dialog().clientWidth) out.push("dialog scrolls sideways");
		if (document.documentElement.scrollWidth > %[1]d) out.push("page scrolls sideways");
		for (const el of form().querySelectorAll("input:not(.h), select, button, label, h2")) {
			const r = el.getBoundingClientRect();
			if (r.left < d.left || r.right > d.right) out.push(describe(el) + " " + r.left + "–" + r.right);
		}
		return out; })()`, width)
}

func TestFormFitsA320PixelScreen(t *testing.T) {
	s := newStorefront(t, customAttrs)
	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile, chromedp.EmulateTouch))
	open(t, ctx, s.shop.URL+"/pages/custom")
	waitFor(t, ctx, `shown(button())`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	browsertest.Screenshot(t, ctx, "snippet-form-320px")
	if overflow := eval[[]string](t, ctx, overflowing(320)); len(overflow) > 0 {
		t.Errorf("overflow at 320 px: %q", overflow)
	}
	if h := eval[float64](t, ctx, `field("phone").getBoundingClientRect().width`); h < 120 {
		t.Errorf("phone field only %v px wide", h)
	}
}

// Colours given to Stockbell.configure may be named as in CSS
// (button-background) or in camel case (buttonBackground), as strings are
// (doneSms): both set --stockbell-button-background.
func TestConfigureColorsInEitherCase(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom")
	waitFor(t, ctx, `shown(button())`)
	for _, colors := range []string{`{"button-background": "#ffeeaa"}`, `{buttonBackground: "#aaeeff", accent: "#0a5c36"}`} {
		eval[chromedp.Void](t, ctx, `Stockbell.configure({colors: `+colors+`})`)
		want := map[string]string{`{"button-background": "#ffeeaa"}`: "rgb(255, 238, 170)", `{buttonBackground: "#aaeeff", accent: "#0a5c36"}`: "rgb(170, 238, 255)"}[colors]
		if got := eval[string](t, ctx, `getComputedStyle(button()).backgroundColor`); got != want {
			t.Errorf("after configure({colors: %s}) the button's background is %s, want %s", colors, got, want)
		}
	}
}
