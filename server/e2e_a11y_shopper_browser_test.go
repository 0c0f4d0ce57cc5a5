package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// The accessibility audit of the pages a shopper meets outside the
// snippet's form (the unsubscribe page and its Undo, the confirmation
// page, the pages answering a link that leads nowhere), on a phone's
// width, operated from the keyboard alone.

// smallTargets lists the page's visible controls and links smaller than
// WCAG 2.2's 24 by 24 CSS pixels that are not spaced as the criterion
// allows (a 24 px circle on their centre reaching no other control): a
// link within a sentence is exempt, as is a box that holds the control.
const smallTargets = `(() => {
	const controls = [...(typeof root == "undefined" ? document : root).querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary, iframe, [tabindex]:not([tabindex='-1'])")]
		.filter((el) => el.checkVisibility() && el.getClientRects().length);
	const rects = controls.map((el) => el.getBoundingClientRect());
	const small = (r) => r.width < 23.5 || r.height < 23.5;
	const inSentence = (el) => el.tagName == "A" && getComputedStyle(el).display == "inline" &&
		[...el.parentElement.childNodes].some((n) => n !== el && n.nodeType == 3 && n.textContent.trim());
	const out = [];
	controls.forEach((el, i) => {
		const r = rects[i];
		if (!small(r) || inSentence(el)) return;
		const x = r.left + r.width / 2, y = r.top + r.height / 2;
		const near = controls.find((other, j) => { if (j == i || other.contains(el) || el.contains(other)) return false;
			const q = rects[j];
			if (small(q)) return Math.hypot(q.left + q.width / 2 - x, q.top + q.height / 2 - y) < 24;
			return Math.hypot(Math.max(q.left - x, 0, x - q.right), Math.max(q.top - y, 0, y - q.bottom)) < 12; });
		if (near) out.push(el.outerHTML.slice(0, 60) + " is " + r.width.toFixed(0) + "x" + r.height.toFixed(0) + " px beside " + near.outerHTML.slice(0, 40));
	});
	return out; })()`

// focusRingMissing describes the focused element when nothing shows its
// focus (no outline and no box shadow), "" when something does.
const focusRingMissing = `(() => { const el = document.activeElement, s = getComputedStyle(el);
	if ((s.outlineStyle != "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow != "none") return "";
	return el.outerHTML.slice(0, 80); })()`

// tabThrough presses Tab from the top of the page through each of its
// stops until focus comes back round (at most 150), and reports each stop
// that shows no focus and each press that leaves focus on nothing.
func tabThrough(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	browsertest.Eval[bool](t, ctx, `(document.activeElement.blur(), window.scrollTo(0, 0), true)`)
	seen := map[string]bool{}
	for range 150 {
		browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Tab))
		stop := browsertest.Eval[string](t, ctx, `(() => { const el = document.activeElement;
			return el == document.body ? "" : [...document.querySelectorAll("*")].indexOf(el) + " " + el.outerHTML.slice(0, 80); })()`)
		if seen[stop] {
			return
		}
		seen[stop] = true
		if stop == "" {
			continue // past the last stop, the browser's own controls
		}
		if strings.HasPrefix(stop[strings.Index(stop, " ")+1:], "<iframe") {
			continue // focus is in a preview's own page, which shows it there and is not readable from here
		}
		if missing := browsertest.Eval[string](t, ctx, focusRingMissing); missing != "" {
			t.Errorf("%s: focus not shown on %s", page, missing)
		}
	}
}

// auditPage checks the page as the admin's audit does (one h1, headings
// in order, announced notices, named controls) and also the contrast of
// its text, the size of its targets, a visible focus on each Tab stop, and
// that it does not scroll sideways (a wide table scrolls in its own box).
func auditPage(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth + 1`) {
		t.Errorf("%s: the page scrolls sideways", page)
	}
	for _, problem := range browsertest.Eval[[]string](t, ctx, pageStructure) {
		t.Errorf("%s: %s", page, problem)
	}
	for _, control := range unnamedControls(t, ctx) {
		t.Errorf("%s: unnamed %s", page, control)
	}
	for _, low := range browsertest.Eval[[]string](t, ctx, contrastCheck) {
		t.Errorf("%s: contrast below WCAG 2.2 AA: %s", page, low)
	}
	for _, small := range browsertest.Eval[[]string](t, ctx, smallTargets) {
		t.Errorf("%s: target below 24 px: %s", page, small)
	}
	tabThrough(t, ctx, page)
}

// wantLang checks the language the page declares.
func wantLang(t *testing.T, ctx context.Context, page, lang string) {
	t.Helper()
	if got := browsertest.Eval[string](t, ctx, `document.documentElement.lang`); got != lang {
		t.Errorf("%s: lang=%q, want %q", page, got, lang)
	}
}

// wantFocusOnNotice checks that the page opened focused on its notice
// (role status), so that a screen reader reads what the button before did.
func wantFocusOnNotice(t *testing.T, ctx context.Context, page, says string) {
	t.Helper()
	// autofocus is applied at the page's next rendering update.
	if err := browsertest.Poll(ctx, `document.activeElement.matches("[role=status]")`, 5*time.Second, 50*time.Millisecond); err != nil {
		t.Errorf("%s: focus is on %s, want the notice", page, browsertest.Eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 80)`))
		return
	}
	if got := browsertest.Eval[string](t, ctx, `document.activeElement.textContent`); !strings.Contains(got, says) {
		t.Errorf("%s: the focused notice reads %q, want %q", page, got, says)
	}
}

// pressOn tabs to the control from the top of the page and presses Enter,
// waiting for the next page's element.
func pressOn(t *testing.T, ctx context.Context, control, ready string) {
	t.Helper()
	browsertest.Eval[bool](t, ctx, `(document.activeElement.blur(), true)`)
	tabUntil(t, ctx, control)
	pressAndWait(t, ctx, kb.Enter, ready)
}

// TestShopperPagesAreAccessibleInChromium walks, on a 360 px phone and by
// keyboard, a French shopper's unsubscribe page (removing an alert, then
// undoing it), confirmation page (confirming), a scheduled report's
// unsubscribe page (stopping it), and the pages answering a link that is
// not valid or leads to no page in the language the browser asks for, and audits
// each: structure, names, contrast, target sizes, visible focus, lang; the
// page after a button opens on its notice.
func TestShopperPagesAreAccessibleInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	shop, sizeM := demoSizeM(t, m)
	ctx := browsertest.NewWithin(t, firstRunBudget)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(360, 800))
	base := m.URL()

	sub, _, err := m.DB.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: sizeM.ID,
		Email: "lea@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Locale: "fr", Source: "snippet"})
	noErr(t, err)
	browse(t, ctx, base+unsubscribeLink(t, m, shop, sub), "li form button")
	wantLang(t, ctx, "unsubscribe", "fr")
	auditPage(t, ctx, "unsubscribe")
	pressOn(t, ctx, "li form button", "form.undo button")
	wantFocusOnNotice(t, ctx, "after Retirer", "Alerte retirée")
	auditPage(t, ctx, "after Retirer")
	var undo browsertest.AXNode
	for _, n := range browsertest.AXNodes(t, ctx) {
		if n.Role == "button" && n.Name == "Annuler" {
			undo = n
		}
	}
	if !strings.Contains(undo.Description, "Vous pouvez annuler pendant 24") {
		t.Errorf("the Undo button is announced as %+v, want described by how long it lasts", undo)
	}
	pressOn(t, ctx, "form.undo button", "ul.undone")
	wantFocusOnNotice(t, ctx, "after Annuler", "rétablie")
	auditPage(t, ctx, "after Annuler")

	phone := "+12015550123"
	_, _, err = m.DB.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: sizeM.ID,
		Phone: phone, Channels: stockbell.Channels{stockbell.ChannelSMS}, SMSConsent: true, Locale: "fr", Source: "snippet"})
	noErr(t, err)
	message := confirmationText(t, m, shop, phone)
	link := strings.Fields(message[strings.Index(message, "/confirm/"):])[0]
	browse(t, ctx, base+link, "form button")
	wantLang(t, ctx, "confirmation", "fr")
	auditPage(t, ctx, "confirmation")
	pressOn(t, ctx, "form button", ".done")
	wantFocusOnNotice(t, ctx, "after confirming", "confirm")
	auditPage(t, ctx, "after confirming")

	// The page a scheduled report's email links to, to stop it.
	browse(t, ctx, base+reportUnsubscribeLink(t, m, shop), "h1")
	auditPage(t, ctx, "report unsubscribe")
	pressOn(t, ctx, "main form button", "h1")
	wantFocusOnNotice(t, ctx, "after Stop this report", "no longer receives this report")
	auditPage(t, ctx, "after Stop this report")

	// A link that is not valid says so in the language the browser asks
	// for, the page marked with it, its title and heading first.
	agent := browsertest.Eval[string](t, ctx, `navigator.userAgent`)
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: agent, AcceptLanguage: "de-DE,de;q=0.9"})
		return err
	}))
	for path, want := range map[string]struct{ title, says string }{
		"/unsubscribe/not-a-token": {"Link ungültig", "Dieser Link ist ungültig"},
		"/confirm/not-a-token":     {"Link ungültig", "ungültig"},
		"/r/not-a-code":            {"Link ungültig", "Dieser Link ist ungültig"},
		"/no-such-page":            {"Seite nicht gefunden", "Unter dieser Adresse gibt es keine Seite"},
	} {
		browse(t, ctx, base+path, "h1")
		wantLang(t, ctx, path, "de")
		if got := text(t, ctx, "main"); !strings.Contains(got, want.says) {
			t.Errorf("%s reads %q, want %q", path, got, want.says)
		}
		if got := browsertest.Eval[[]string](t, ctx, `[document.title, document.querySelector("h1").textContent]`); got[0] != want.title || got[1] != got[0] {
			t.Errorf("%s: title and heading %q, want %q, which say what happened", path, got, want.title)
		}
		auditPage(t, ctx, path)
	}
	browse(t, ctx, base+"/reports/unsubscribe/not-a-token", "h1")
	auditPage(t, ctx, "a report's unsubscribe link not valid")
}

// TestDemoSignUpByKeyboardOnAPhone: on a 360 px phone, a shopper signs up
// for the demo's sold-out size by text message with the keyboard alone:
// the notify button opens the form on its first field; a number without
// the SMS consent is refused, the consent marked invalid, described by the
// announced refusal, and focused; ticked, the sign-up is announced and
// focus goes to the close button. The form's targets are 24 px or spaced.
func TestDemoSignUpByKeyboardOnAPhone(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.NewWithin(t, firstRunBudget)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(360, 800))
	browse(t, ctx, m.URL()+"/demo?variant=sweater-m", "[data-stockbell-variant]")
	waitForServer(t, ctx, `shown(button())`)
	browsertest.TabTo(t, ctx, "b")
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitForServer(t, ctx, `dialog() && dialog().open`)
	if got := browsertest.Focused(t, ctx); got != "email" {
		t.Errorf("focus on %q after opening the form, want the email field", got)
	}
	for _, small := range browsertest.Eval[[]string](t, ctx, browsertest.JS(`(() => { const root = form(); return `+smallTargets+`; })()`)) {
		t.Errorf("the form: target below 24 px: %s", small)
	}
	browsertest.TabTo(t, ctx, "phone")
	browsertest.Do(t, ctx, chromedp.KeyEvent("+33612345678"))
	browsertest.TabTo(t, ctx, "s")
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitForServer(t, ctx, `field("sms_consent").getAttribute("aria-invalid") == "true"`)
	consent := browsertest.Eval[[]string](t, ctx, browsertest.JS(`[describe(active()), status().textContent,
		status().id && (field("sms_consent").getAttribute("aria-describedby") || "").split(" ").includes(status().id) ? "described" : "not described"]`))
	if consent[0] != "sms_consent" || consent[1] == "" || consent[2] != "described" {
		t.Errorf("after a number without consent: focus on %q, status %q, consent %s by it", consent[0], consent[1], consent[2])
	}
	browsertest.Do(t, ctx, chromedp.KeyEvent(" "))
	browsertest.TabTo(t, ctx, "s")
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitForServer(t, ctx, `status().textContent.includes("text you")`)
	if got := browsertest.Focused(t, ctx); got != "x" {
		t.Errorf("focus on %q after signing up, want the close button", got)
	}
}
