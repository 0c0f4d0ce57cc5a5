package snippet

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// consentNode returns the SMS consent checkbox as the accessibility tree
// has it, found by its text.
func consentNode(t *testing.T, ctx context.Context) browsertest.AXNode {
	t.Helper()
	consent, ok := axFind(axNodes(t, ctx), "checkbox", eval[string](t, ctx, `field("sms_consent").nextElementSibling.textContent`))
	if !ok {
		t.Fatal("no SMS consent checkbox named by its text")
	}
	return consent
}

// consentRequired is the SMS consent's required state as the page gives
// it to assistive technology. Chromium's own view of the tree (AXNodes)
// lists a required state for text fields, selects and groups but never for
// a checkbox, whether marked required or aria-required, so it is read from
// the attribute that carries it (ARIA 1.2 allows it on a checkbox).
const consentRequired = `field("sms_consent").getAttribute("aria-required") == "true"`

// wantConsent checks whether the consent checkbox is marked required, and
// that it is not announced as invalid (nor natively required, which
// Chromium announces as invalid at once) before any submit.
func wantConsent(t *testing.T, ctx context.Context, when string, required bool) {
	t.Helper()
	consent := consentNode(t, ctx)
	marked := eval[[]bool](t, ctx, `[`+consentRequired+`, field("sms_consent").required]`)
	if marked[0] != required || marked[1] || consent.Props["invalid"] == `"true"` {
		t.Errorf("%s the SMS consent is marked required %v (natively %v) and announced as %+v, want required %v and not invalid", when, marked[0], marked[1], consent, required)
	}
}

// The SMS consent is required exactly when a phone number is given, and a
// screen reader learns so before any submit: it is announced as required
// once the shopper types a number, and no longer once they clear it, in a
// form with both channels and in an SMS-only one. Left blank it is not
// announced as invalid until a submit refuses it.
func TestSmsConsentIsAnnouncedAsRequiredWithAPhone(t *testing.T) {
	ctx := newBrowser(t)
	for _, channels := range []string{"both", "sms"} {
		t.Run(channels, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, languagePage(t, s, `lang="en"`, `data-channels="`+channels+`"`))
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			wantConsent(t, ctx, "with no phone", false)
			click(t, ctx, `field("phone")`)
			do(t, ctx, chromedp.KeyEvent("612"))
			wantConsent(t, ctx, "with a phone", true)
			do(t, ctx, chromedp.KeyEvent(kb.Backspace+kb.Backspace+kb.Backspace))
			wantConsent(t, ctx, "after clearing the phone", false)
		})
	}
}

// A phone number without the SMS consent is refused as the other fields'
// refusals are: the consent is announced as invalid and required,
// described by the refusal, and focused; ticking it and submitting again
// subscribes.
func TestSmsConsentRefusalIsAnnouncedAndFocused(t *testing.T) {
	ctx := newBrowser(t)
	s := newStorefront(t, "")
	open(t, ctx, languagePage(t, s, `lang="en"`, `data-channels="both"`))
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	click(t, ctx, `field("phone")`)
	do(t, ctx, chromedp.KeyEvent("612345678\r"))
	const refused = "Tick the box to agree to receive text messages."
	waitFor(t, ctx, `status().textContent == "`+refused+`"`)
	consent := consentNode(t, ctx)
	if f := focused(t, ctx); f != "sms_consent" || consent.Props["invalid"] != `"true"` || !eval[bool](t, ctx, consentRequired) || consent.Description != refused {
		t.Errorf("after the refusal focus is on %q and the consent is announced as %+v, want it focused, invalid, required and described by %q", f, consent, refused)
	}
	do(t, ctx, chromedp.KeyEvent(" "))
	click(t, ctx, `form().querySelector(".s")`)
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if posts := s.posts(); len(posts) != 1 {
		t.Errorf("%d subscriptions posted, want 1", len(posts))
	}
}
