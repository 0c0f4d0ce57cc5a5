package snippet

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// The accessibility audit of what a shopper meets: the notify button and
// the form, as the browser presents them to assistive technology, operated
// from the keyboard alone, in each built-in language.

var axNodes = browsertest.AXNodes

// axFind returns the first node with the role whose name is name.
func axFind(nodes []browsertest.AXNode, role, name string) (browsertest.AXNode, bool) {
	i := slices.IndexFunc(nodes, func(n browsertest.AXNode) bool { return n.Role == role && n.Name == name })
	if i < 0 {
		return browsertest.AXNode{}, false
	}
	return nodes[i], true
}

// formLabels are the texts that name the form's title, fields and
// buttons, read from the form, in page order.
const formLabels = `[form().querySelector("h2"), form().querySelector("label[for=e]"), form().querySelector("label[for=n]"),
	field("sms_consent").nextElementSibling, field("marketing_consent").nextElementSibling, form().querySelector(".s")]`

// wantNamed checks that the control of each role is named by its text.
func wantNamed(t *testing.T, nodes []browsertest.AXNode, roles, names []string) {
	t.Helper()
	for i, role := range roles {
		if _, ok := axFind(nodes, role, names[i]); !ok {
			t.Errorf("no %s named %q", role, names[i])
		}
	}
}

// In each built-in language, the button and every part of the form are
// announced in it: the button says that it opens a dialog, the form is a
// modal dialog named by its title, each field and checkbox is named by
// its label, and each text is marked with the language.
func TestScreenReaderHearsTheButtonAndFormInEachLanguage(t *testing.T) {
	ctx := newBrowser(t)
	buttons := map[string]string{"en": "Notify me when available", "fr": "M'avertir quand disponible",
		"de": "Benachrichtigen, wenn verfügbar", "es": "Avisarme cuando esté disponible"}
	for _, lang := range []string{"en", "fr", "de", "es"} {
		t.Run(lang, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, languagePage(t, s, `lang="`+lang+`"`, `data-channels="both" data-marketing="true"`))
			tabTo(t, ctx, "b")
			button, ok := axFind(axNodes(t, ctx), "button", buttons[lang])
			if !ok || button.Props["hasPopup"] != `"dialog"` || button.Props["focused"] != "true" {
				t.Errorf("the focused notify button as announced: %+v (found %v), want named %q with hasPopup dialog", button, ok, buttons[lang])
			}
			do(t, ctx, chromedp.KeyEvent(kb.Enter))
			waitFor(t, ctx, `dialog() && dialog().open`)
			if f := focused(t, ctx); f != "email" {
				t.Errorf("focus on %q after opening, want the email field", f)
			}
			texts := eval[[]string](t, ctx, `(`+formLabels+`).map((el) => el.textContent).concat(form().querySelector(".x").getAttribute("aria-label"), field("country").getAttribute("aria-label"))`)
			nodes := axNodes(t, ctx)
			if d, _ := axFind(nodes, "dialog", texts[0]); d.Props["modal"] != "true" {
				t.Errorf("no modal dialog named %q: %+v", texts[0], d)
			}
			wantNamed(t, nodes, []string{"textbox", "textbox", "checkbox", "checkbox", "button", "button", "combobox"}, texts[1:])
			marked := eval[[]bool](t, ctx, `(`+formLabels+`).concat(form().querySelector(".x"), button()).map((el) => el.matches(":lang(`+lang+`)"))`)
			if slices.Contains(marked, false) {
				t.Errorf("texts not marked %s (title, labels, submit, close, button): %v", lang, marked)
			}
			do(t, ctx, chromedp.KeyEvent(kb.Escape))
			waitFor(t, ctx, `!dialog().open`)
			waitForFocus(t, ctx, "b") // the notify button
		})
	}
}

// announced returns the form's status line as a screen reader is told it
// (its live setting; the last status on the page, as the form comes after
// the buttons' notices) and the email field: whether it is invalid and
// what describes it.
func announced(t *testing.T, ctx context.Context) (status, email browsertest.AXNode) {
	t.Helper()
	for _, n := range axNodes(t, ctx) {
		switch {
		case n.Role == "status":
			status = n
		case n.Role == "textbox" && n.Name == "Email":
			email = n
		}
	}
	return status, email
}

// A refusal is announced and focus goes where the shopper can act on it:
// to the field at fault, which is marked invalid and described by the
// refusal; for a refusal of no field (too many tries), back to the submit
// button the shopper pressed, not lost to the page.
func TestRefusalsAreAnnouncedAndKeepFocusInTheForm(t *testing.T) {
	ctx := formOpenedByKeyboard(t)
	do(t, ctx, chromedp.KeyEvent("name@"))
	tabTo(t, ctx, "s")
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, `status().textContent != ""`)
	const refused = "Enter a valid email address, like name@example.com."
	status, email := announced(t, ctx)
	if f := focused(t, ctx); f != "email" || email.Props["invalid"] != `"true"` || email.Description != refused {
		t.Errorf("after a refused address focus is on %q and the field is announced as %+v, want it focused, invalid and described by %q", f, email, refused)
	}
	if text := eval[string](t, ctx, `status().textContent`); text != refused || status.Props["live"] != `"polite"` {
		t.Errorf("status line %q announced as %+v, want a polite live region", text, status)
	}

	eval[chromedp.Void](t, ctx, `(field("email").value = "")`)
	do(t, ctx, chromedp.KeyEvent("limited@example.com"))
	tabTo(t, ctx, "s")
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, `status().textContent == "Too many tries. Please try again in a minute."`)
	if f := focused(t, ctx); f != "s" {
		t.Errorf("after a refusal of no field focus is on %q, want the submit button", f)
	}
	if _, email = announced(t, ctx); email.Props["invalid"] == `"true"` {
		t.Errorf("the email field is still announced as invalid: %+v", email)
	}
}

// The same refusal twice is announced twice: the second submit empties
// the status line before it says the refusal again, so a screen reader,
// which speaks a live region when it changes, does not stay silent. A
// MutationObserver records what the line holds at each change.
func TestRepeatedRefusalIsAnnouncedAgain(t *testing.T) {
	ctx := formOpenedByKeyboard(t)
	do(t, ctx, chromedp.KeyEvent("name@\r"))
	const refused = "Enter a valid email address, like name@example.com."
	waitFor(t, ctx, `status().textContent == "`+refused+`"`)
	eval[chromedp.Void](t, ctx, `(window.seen = [], new MutationObserver(() => seen.push(status().textContent))
		.observe(status(), { childList: true, characterData: true, subtree: true }))`)
	do(t, ctx, chromedp.KeyEvent(kb.Enter)) // focus is back on the refused field
	waitFor(t, ctx, `seen.length && seen[seen.length - 1] == "`+refused+`"`)
	if seen := eval[[]string](t, ctx, `seen`); !slices.Equal(seen, []string{"", refused}) {
		t.Errorf("the status line after the second submit held %q, want it emptied, then the refusal", seen)
	}
}

// phoneHints are the phone field's hint in each built-in language.
var phoneHints = map[string]string{
	"en": "A mobile number that can receive texts, with or without the country code.",
	"fr": "Un numéro de mobile qui reçoit les SMS, avec ou sans l'indicatif du pays.",
	"de": "Eine Mobilnummer, die SMS empfangen kann, mit oder ohne Ländervorwahl.",
	"es": "Un número de móvil que reciba SMS, con o sin el prefijo del país.",
}

// The phone field says what it expects before any submit: a visible hint
// in the page's language, marked with it, which a screen reader reads as
// the field's description; a refusal adds its reason before the hint.
func TestPhoneFieldIsDescribedByItsHint(t *testing.T) {
	ctx := newBrowser(t)
	for _, lang := range []string{"en", "fr", "de", "es"} {
		t.Run(lang, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, languagePage(t, s, `lang="`+lang+`"`, `data-channels="sms"`))
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			phone := phoneNode(t, ctx)
			hint := eval[[]string](t, ctx, `(() => { const el = form().querySelector("#" + field("phone").getAttribute("aria-describedby"));
				return el ? [el.textContent, String(el.checkVisibility()), String(el.matches(":lang(`+lang+`)"))] : []; })()`)
			if phone.Description != phoneHints[lang] || !slices.Equal(hint, []string{phoneHints[lang], "true", "true"}) {
				t.Errorf("the phone field is described as %q by %q (text, visible, marked %s), want %q", phone.Description, hint, lang, phoneHints[lang])
			}
			eval[chromedp.Void](t, ctx, `field("phone").focus()`)
			do(t, ctx, chromedp.KeyEvent(kb.Enter)) // no number
			waitFor(t, ctx, `status().textContent != ""`)
			refused := eval[string](t, ctx, `status().textContent`)
			if phone = phoneNode(t, ctx); phone.Description != refused+" "+phoneHints[lang] {
				t.Errorf("after a refusal the phone field is described as %q, want the refusal, then the hint", phone.Description)
			}
		})
	}
}

// phoneNode returns the phone field as the accessibility tree has it,
// found by its label.
func phoneNode(t *testing.T, ctx context.Context) browsertest.AXNode {
	t.Helper()
	phone, ok := axFind(axNodes(t, ctx), "textbox", eval[string](t, ctx, `form().querySelector("label[for=n]").textContent`))
	if !ok {
		t.Fatal("no phone field named by its label")
	}
	return phone
}

// required returns whether each named control is announced as required.
func required(t *testing.T, ctx context.Context, names ...string) []bool {
	t.Helper()
	nodes := axNodes(t, ctx)
	out := make([]bool, len(names))
	for i, name := range names {
		j := slices.IndexFunc(nodes, func(n browsertest.AXNode) bool { return n.Name == name })
		out[i] = j >= 0 && nodes[j].Props["required"] == "true"
	}
	return out
}

// The contact field a shopper must fill is announced as required before
// they submit: the only one of a form with one channel. Where either
// contact will do, neither is. (The SMS consent, required only while a
// phone number is given, is checked in consent_browser_test.go.)
func TestRequiredFieldsAreAnnounced(t *testing.T) {
	ctx := newBrowser(t)
	cases := []struct{ channels, want string }{
		{"email", "[true]"},
		{"sms", "[true]"},
		{"both", "[false false]"},
	}
	for _, c := range cases {
		t.Run(c.channels, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, languagePage(t, s, `lang="en"`, `data-channels="`+c.channels+`"`))
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			names := map[string][]string{"email": {"Email"}, "sms": {"Phone number"}, "both": {"Email", "Phone number"}}[c.channels]
			if got := fmt.Sprint(required(t, ctx, names...)); got != c.want {
				t.Errorf("%q announced as required: %s, want %s", names, got, c.want)
			}
		})
	}
}

// At 200% zoom in a window 390 pixels wide (195 CSS pixels) the button and
// the whole form fit the screen's width in each built-in language, with no
// sideways scrolling: a long word wraps rather than running out of the
// dialog.
func TestFormFitsANarrowWindowAtTwiceTheSize(t *testing.T) {
	ctx := newBrowser(t)
	// Browser zoom: twice the device pixels per CSS pixel, half the CSS width.
	do(t, ctx, chromedp.EmulateViewport(195, 422, chromedp.EmulateScale(2)))
	for _, lang := range []string{"en", "fr", "de", "es"} {
		t.Run(lang, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, languagePage(t, s, `lang="`+lang+`"`, `data-channels="both" data-marketing="true"`))
			if left, right := browsertest.SideGaps(t, ctx, `button()`); left < 0 || right < 0 {
				t.Errorf("the button sticks out of the screen: %v px left, %v px right", left, right)
			}
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			browsertest.Screenshot(t, ctx, "snippet-form-200pct-390px-"+lang)
			if overflow := eval[[]string](t, ctx, overflowing(195)); len(overflow) > 0 {
				t.Errorf("overflow at 390 px and 200%%: %q", overflow)
			}
		})
	}
}

// cutCountries lists the country select's options that a closed select
// would show cut: a copy of the select holding that option alone, at its
// natural width, is wider than the select.
const cutCountries = `(() => {
	const select = field("country"), out = [];
	for (const option of select.options) {
		const alone = select.cloneNode(false);
		alone.append(option.cloneNode(true));
		alone.style.cssText = "position: absolute; width: auto; max-width: none";
		select.after(alone);
		if (alone.offsetWidth > select.offsetWidth) out.push(option.textContent + " " + alone.offsetWidth + ">" + select.offsetWidth);
		alone.remove();
	}
	return out; })()`

// The country select shows whichever country is chosen whole, in each
// built-in language: by its name in a 390 px window, by its code at 200%
// zoom there (195 CSS pixels), where most names would be cut.
func TestChosenCountryReadsWhole(t *testing.T) {
	ctx := newBrowser(t)
	for _, size := range []struct {
		width int64
		scale float64
		want  string // the chosen country in English
	}{{390, 1, "+1 United States"}, {195, 2, "+1 US"}} {
		do(t, ctx, chromedp.EmulateViewport(size.width, 844/int64(size.scale), chromedp.EmulateScale(size.scale)))
		for _, lang := range []string{"en", "fr", "de", "es"} {
			t.Run(fmt.Sprint(size.width, "px ", lang), func(t *testing.T) {
				s := newStorefront(t, "")
				open(t, ctx, languagePage(t, s, `lang="`+lang+`"`, `data-channels="both"`))
				click(t, ctx, `button()`)
				waitFor(t, ctx, `dialog() && dialog().open`)
				if cut := eval[[]string](t, ctx, cutCountries); len(cut) > 0 {
					t.Errorf("%d countries shown cut (needed > shown px): %q", len(cut), cut)
				}
				if got := eval[string](t, ctx, `field("country").selectedOptions[0].textContent`); lang == "en" && got != size.want {
					t.Errorf("the chosen country reads %q, want %q", got, size.want)
				}
			})
		}
	}
}

// contrastJS defines ratio(a, b), the WCAG contrast ratio of two computed
// colours, and bg(el), the colour behind an element: its own background or
// the first opaque one of its ancestors, across shadow roots (white, the
// test pages', when none is).
const contrastJS = `
const lum = (c) => c.match(/[\d.]+/g).slice(0, 3).map((v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
	.reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const bg = (el) => {
	for (; el; el = el.parentElement || el.getRootNode().host) {
		const c = getComputedStyle(el).backgroundColor;
		if (!/^rgba\(.*, 0\)$/.test(c)) return c;
	}
	return "rgb(255, 255, 255)";
};`

// lowContrast lists the elements whose text (at least 4.5:1) or border
// (3:1, for fields) is too faint against what is behind it.
const lowContrast = `(() => {` + contrastJS + `
	const out = [];
	for (const el of [button(), ...form().querySelectorAll("h2, label, span, .s, .x, .m")]) {
		const c = getComputedStyle(el), r = ratio(c.color, bg(el));
		if (el.textContent.trim() && r < 4.5) out.push(describe(el) + " text " + r.toFixed(2));
	}
	for (const el of form().querySelectorAll(".i")) {
		const r = ratio(getComputedStyle(el).borderTopColor, bg(el.parentElement));
		if (r < 3) out.push(describe(el) + " border " + r.toFixed(2));
	}
	return out; })()`

// faintFocus describes the focused element's focus ring when it is missing
// or fainter than 3:1 against what is around it, else "".
const faintFocus = `(() => {` + contrastJS + `
	const el = active(), c = getComputedStyle(el), r = ratio(c.outlineColor, bg(el.parentElement));
	return c.outlineStyle == "none" || parseFloat(c.outlineWidth) == 0 || r < 3 ? describe(el) + " " + c.outlineStyle + " " + r.toFixed(2) : ""; })()`

// With the default stylesheet, text and field borders stand out from
// their background, every control reached by Tab shows a focus ring that
// stands out too, and a refusal is told in words and in a colour that
// reads, not by colour alone.
func TestDefaultStylesContrastAndShowFocus(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, languagePage(t, s, `lang="en"`, `data-channels="both" data-marketing="true"`))
	tabTo(t, ctx, "b")
	if faint := eval[string](t, ctx, faintFocus); faint != "" {
		t.Errorf("focus ring: %s", faint)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, `dialog() && dialog().open`)
	for _, want := range []string{"country", "phone", "sms_consent", "marketing_consent", "s", "x", "email"} {
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		if f := focused(t, ctx); f != want {
			t.Fatalf("Tab reached %q, want %q", f, want)
		}
		if faint := eval[string](t, ctx, faintFocus); faint != "" {
			t.Errorf("focus ring: %s", faint)
		}
	}
	do(t, ctx, chromedp.KeyEvent("name@\r"))
	waitFor(t, ctx, `status().classList.contains("e")`)
	if low := eval[[]string](t, ctx, lowContrast); len(low) > 0 {
		t.Errorf("too little contrast: %q", low)
	}
	if got := eval[string](t, ctx, `status().textContent`); got == "" {
		t.Error("the refusal is shown by colour alone")
	}
}

// With reduced motion asked for, nothing in the button or the form moves:
// no animation or transition, the dialog's backdrop included. (None is
// used at all; this keeps one from arriving without the preference.)
func TestNothingMovesWithReducedMotion(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	do(t, ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
		return err
	}))
	open(t, ctx, languagePage(t, s, `lang="en"`, `data-channels="both" data-marketing="true"`))
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	moving := eval[[]string](t, ctx, `[...host().shadowRoot.querySelectorAll("*"), ...form().querySelectorAll("*")]
		.flatMap((el) => [getComputedStyle(el), getComputedStyle(el, "::backdrop")].map((c) => [describe(el), c]))
		.filter(([, c]) => c.animationName != "none" || c.transitionDuration.split(", ").some((d) => d != "0s"))
		.map(([name, c]) => name + " " + c.animationName + " " + c.transitionDuration)`)
	if !eval[bool](t, ctx, `matchMedia("(prefers-reduced-motion: reduce)").matches`) || len(moving) > 0 {
		t.Errorf("moving with reduced motion: %q", moving)
	}
}
