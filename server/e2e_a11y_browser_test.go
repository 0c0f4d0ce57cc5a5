package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// The accessibility audit of the admin: what a merchant using a screen
// reader is told on each page, and the main loop run from the keyboard.

// pageStructure lists what is wrong with the page's structure: a count of
// h1 other than one, a heading that skips a level, a table without header
// cells, a notice or error that is not announced (role status or alert),
// and a field's hint or refusal (one with an id, or one just before a
// field) that no field is described by.
const pageStructure = `(() => {
	const out = [], visible = (el) => el.checkVisibility();
	const h1 = [...document.querySelectorAll("h1")].filter(visible).length;
	if (h1 != 1) out.push(h1 + " h1");
	let last = 0;
	for (const h of [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(visible)) {
		const level = +h.tagName[1];
		if (level > last + 1) out.push("h" + level + " after h" + last + ": " + h.textContent.trim().slice(0, 40));
		last = level;
	}
	for (const table of document.querySelectorAll("table")) {
		if (!table.querySelector("th")) out.push("table without headers: " + (table.getAttribute("aria-label") || table.id || table.textContent.trim().slice(0, 40)));
	}
	for (const el of [...document.querySelectorAll(".banner, .error-text, .notice, .flash")].filter(visible)) {
		if (!el.closest("[role=status], [role=alert], [aria-live]")) out.push("notice not announced: " + el.textContent.trim().slice(0, 60));
	}
	const described = new Set([...document.querySelectorAll("[aria-describedby]")].flatMap((el) => el.getAttribute("aria-describedby").split(/\s+/)));
	const beforeField = (el) => { let next = el.nextElementSibling;
		while (next && next.matches(".hint, .field-error, label")) next = next.nextElementSibling;
		return next && next.matches("input, select, textarea"); };
	for (const hint of [...document.querySelectorAll(".hint, .field-error")].filter(visible)) {
		if (hint.closest("label, legend, summary") || described.has(hint.id) || !(hint.id || beforeField(hint))) continue;
		out.push("a field's hint or refusal read with no field: " + hint.textContent.trim().slice(0, 60));
	}
	return out; })()`

// unnamedControls lists the page's controls and links, and the images,
// figures, frames, regions and dialogs, that the browser gives no
// accessible name: what a screen reader would say nothing for.
func unnamedControls(t *testing.T, ctx context.Context) []string {
	t.Helper()
	roles := []string{"textbox", "searchbox", "combobox", "listbox", "checkbox", "radio", "spinbutton", "slider", "button", "link", "switch",
		"image", "img", "figure", "Iframe", "region", "dialog", "radiogroup"}
	var out []string
	for _, n := range browsertest.AXNodes(t, ctx) {
		if slices.Contains(roles, n.Role) && n.Name == "" {
			out = append(out, fmt.Sprintf("%s %v", n.Role, n.Props))
		}
	}
	return out
}

// adminLinks lists the paths of the page's links within the admin, with
// their query, sign-out and downloads left out.
const adminLinks = `[...document.querySelectorAll("a[href^='/admin']")].map((a) => a.getAttribute("href"))
	.filter((h) => !/sign-out|export|\.csv/.test(h))`

// TestAdminPagesAreAccessibleInChromium visits every admin page of the
// demo shop that its links reach, and the public pages a merchant meets
// (the start page, the sign-in pages, the demo's product page) and the
// pages answering a mistake, and the questions the destructive actions
// ask first (focused on the question), at 360 and 1280 px, and checks each for one
// h1 and headings in order, tables with header cells, notices that are
// announced, controls and links that have a name, text contrast, target
// sizes and a focus shown on each of its Tab stops (auditPage).
func TestAdminPagesAreAccessibleInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	waitingSubscriber(t, m)
	pagesWithActivity(t, m)
	ctx := browsertest.NewWithin(t, firstRunBudget)
	base := m.URL()
	// Each page is audited on a phone's width and a desktop's.
	audit := func(path string) {
		t.Helper()
		for _, width := range []int64{360, 1280} {
			browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
			auditPage(t, ctx, fmt.Sprintf("%s at %d px", path, width))
		}
	}
	browse(t, ctx, base+"/admin/sign-in", "h1")
	audit("/admin/sign-in")
	// The sign-in pages: asked for a page signed out, and a one-time link's.
	browse(t, ctx, base+"/admin/settings", "h1")
	audit("/admin/settings signed out")
	shop, _ := demoSizeM(t, m)
	token, _, err := m.DB.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID})
	noErr(t, err)
	browse(t, ctx, web.SignInURL(base, token), "h1")
	audit("a one-time sign-in link")
	browse(t, ctx, base+"/demo", "h1")
	audit("/demo")
	browse(t, ctx, base+"/", "h1")
	audit("/")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	seen := map[string]bool{}
	queue := []string{"/admin"}
	for len(queue) > 0 && len(seen) < 60 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		browse(t, ctx, base+path, "h1")
		audit(path)
		queue = append(queue, browsertest.Eval[[]string](t, ctx, adminLinks)...)
	}
	// Pages that answer a mistake: a used or unknown sign-in link, a
	// subscriber that is not there.
	for _, path := range []string{"/admin/sign-in?token=not-a-token", "/admin/subscribers/999999"} {
		browse(t, ctx, base+path, "h1")
		audit(path)
	}
	// The questions destructive actions ask first, answered by the server:
	// discarding the held batch, removing its shopper, erasing a shopper.
	later := "later@example.com"
	held, _, err := m.DB.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &shop.ID, Email: &later, Limit: 1})
	if err != nil || len(held) != 1 {
		t.Fatalf("the held shopper: %v %v", held, err)
	}
	for _, ask := range []struct{ path, button string }{
		{"/admin/flow", "button[value^=discard_]"},
		{fmt.Sprintf("/admin/subscribers/%d", held[0].ID), `form[action$="/remove"] button`},
		{"/admin/privacy", `button[formaction="/admin/privacy/erase"]`},
	} {
		browse(t, ctx, base+ask.path, "h1")
		browsertest.Eval[bool](t, ctx, `(document.querySelector("#email") && (document.querySelector("#email").value = "waiting@example.com"), true)`)
		clickAndWait(t, ctx, ask.button, "#question")
		wantFocusOnQuestion(t, ctx, ask.path)
		audit("the question of " + ask.button + " on " + ask.path)
	}
	browse(t, ctx, base+"/admin/reports", "h1")
	if got := text(t, ctx, "main"); !strings.Contains(got, "because") {
		t.Errorf("the Reports page audited shows no skip reason:\n%s", got)
	}
	browse(t, ctx, base+"/admin/outbox", "h1")
	if got := text(t, ctx, "main"); !strings.Contains(got, "Held for quiet hours") {
		t.Errorf("the Outbox audited shows no text held for quiet hours:\n%s", got)
	}
	for _, want := range []string{"/admin/outbox/", "/admin/subscribers/"} {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(seen)), func(p string) bool { return strings.HasPrefix(p, want) }) {
			t.Errorf("no page under %s reached", want)
		}
	}
	if len(seen) < 12 {
		t.Errorf("only %d admin pages reached: %v", len(seen), seen)
	}
	t.Logf("%d admin pages audited: %v", len(seen), seen)
}

// wantFocusOnQuestion checks that the page asking before a destructive
// action opened focused on its question, so that a screen reader reads it
// first.
func wantFocusOnQuestion(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	// autofocus is applied at the page's next rendering update.
	if browsertest.Poll(ctx, `document.activeElement.id == "question"`, 5*time.Second, 50*time.Millisecond) != nil {
		t.Errorf("the question asked on %s: focus is on %s, want the question", page,
			browsertest.Eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 80)`))
	}
}

// pagesWithActivity gives the demo shop what its busier pages show: an
// alert sent (the Outbox and its message, a subscriber's timeline), one
// skipped as its shopper unsubscribed (the Reports page's skip reasons),
// a text held for its recipient's quiet hours, which are on around the
// present hour in Paris (the Outbox's, the subscribers' and the
// subscriber's held texts), and a batch held for approval (the Flow
// page's held batches), a webhook endpoint and an API key (the tables of
// the Webhooks and API keys pages).
func pagesWithActivity(t *testing.T, m *Main) {
	t.Helper()
	ctx := context.Background()
	shop, _ := demoSizeM(t, m)
	gone := subscribeToSizeM(t, m, "gone@example.com")
	_, sizeM := demoSizeM(t, m)
	_, _, err := m.DB.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: sizeM.ID,
		Phone: "+33612345678", Channels: stockbell.Channels{stockbell.ChannelSMS}, SMSConsent: true, Source: "snippet"})
	noErr(t, err)
	paris, err := time.LoadLocation("Europe/Paris")
	noErr(t, err)
	now, on := time.Now().In(paris), true
	start, end := now.Add(-time.Hour).Format("15:04"), now.Add(2*time.Hour).Format("15:04")
	_, err = m.DB.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{QuietHours: &on, QuietHoursStart: &start, QuietHoursEnd: &end})
	noErr(t, err)
	batch := heldBatch(t, m, shop)
	noErr(t, m.DB.Unsubscribe(ctx, shop.ID, gone.ID))
	_, err = m.DB.ApproveHeldBatch(ctx, shop.ID, batch, stockbell.AdminUser{Email: "owner@example.com"})
	noErr(t, err)
	eventually(t, m, "the approved alert in the Outbox", func() bool {
		msgs, _, err := m.DB.FindOutboxMessages(ctx, stockbell.OutboxFilter{ShopID: &shop.ID})
		return err == nil && len(msgs) > 0
	})
	heldBatch(t, m, shop, "later@example.com")
	_, err = m.DB.CreateWebhookEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: shop.ID, URL: "https://hooks.example.com/stockbell",
		EventTypes: stockbell.WebhookEventTypes}, []byte("sealed"))
	noErr(t, err)
	_, _, err = m.DB.CreateAPIKey(ctx, shop.ID, "ERP sync")
	noErr(t, err)
}

// submitInvalid puts value in the page's field and submits its form with
// the button, past the browser's own checks, as the server's refusal is
// what is looked at; it waits for the page after.
func submitInvalid(t *testing.T, ctx context.Context, field, value, button string) {
	t.Helper()
	browsertest.Eval[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q), form = el.form;
		el.value = %q; form.noValidate = true; document.body.dataset.before = "1";
		form.requestSubmit(form.querySelector(%q)); return true; })()`, field, value, button))
	if err := browsertest.PollThroughNavigation(ctx, `!document.body.dataset.before && document.querySelector("[aria-invalid=true]")`, serverWait); err != nil {
		t.Fatalf("no field marked invalid after submitting %q in %s: %v", value, field, err)
	}
}

// TestAdminFieldErrorsAreReadWithTheirField: a form the server refuses
// marks the field at fault invalid and focuses it, and a screen reader
// reads the refusal as the field's description, whichever form it is (a refusal linked to
// its field only by aria-errormessage is not read by every screen reader).
func TestAdminFieldErrorsAreReadWithTheirField(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.NewWithin(t, firstRunBudget)
	base := m.URL()
	browse(t, ctx, base+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	cases := []struct{ page, field, value, button string }{
		{"/admin/flow", "#s1_delay", "soon", "button[value=save]"},
		{"/admin/flow", "#test_to", "nobody", "button[value=test_1]"},
		{"/admin/reports/scheduled", "#email", "not-an-address", "button[type=submit]"},
		{"/admin/install", "#url", "not a url", "button[type=submit]"},
		{"/admin/install", "#origin", "ftp://shop.example", "button[type=submit]"},
		{"/admin/reports", "[name=from]", "2026-05-02", "button[type=submit]"},
		{"/admin/settings", "#min_inventory", "-4", "button[type=submit]"},
		{"/admin/settings", "#quiet_hours_end", "21:00", "#settings-form button[type=submit]"},
	}
	for _, c := range cases {
		browse(t, ctx, base+c.page, "h1")
		if c.page == "/admin/reports" {
			browsertest.Eval[bool](t, ctx, `(document.querySelector("[name=to]").value = "2026-05-01", true)`)
		}
		submitInvalid(t, ctx, c.field, c.value, c.button)
		refusal := browsertest.Eval[string](t, ctx, `document.querySelector(".field-error").textContent.trim()`)
		var invalid []browsertest.AXNode
		for _, n := range browsertest.AXNodes(t, ctx) {
			if n.Props["invalid"] == `"true"` {
				invalid = append(invalid, n)
			}
		}
		if len(invalid) != 1 || !strings.Contains(invalid[0].Description, refusal) {
			t.Errorf("%s, %s = %q: the fields announced invalid are %+v, want one described by %q", c.page, c.field, c.value, invalid, refusal)
		}
		// autofocus is applied at the page's next rendering update, not
		// as the element is parsed: a loaded machine can look before it.
		if browsertest.Poll(ctx, `document.activeElement == document.querySelector("[aria-invalid=true]")`, 5*time.Second, 50*time.Millisecond) != nil {
			t.Errorf("%s, %s = %q: focus is on %s, want the field marked invalid", c.page, c.field, c.value,
				browsertest.Eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 80)`))
		}
		auditPage(t, ctx, fmt.Sprintf("%s refusing %s = %q", c.page, c.field, c.value))
	}
}

// pressAndWait presses a key on the focused control and waits, through
// the navigation it starts, for the next page's element.
func pressAndWait(t *testing.T, ctx context.Context, key, ready string) {
	t.Helper()
	browsertest.Eval[bool](t, ctx, `(document.body.dataset.before = "1", true)`)
	browsertest.Do(t, ctx, chromedp.KeyEvent(key))
	if err := browsertest.PollThroughNavigation(ctx, fmt.Sprintf(`!document.body.dataset.before && document.querySelector(%q)`, ready), serverWait); err != nil {
		t.Fatalf("no %s after pressing %q: %v", ready, key, err)
	}
}

// TestAdminMainLoopByKeyboardInChromium runs the merchant's main loop
// with the keyboard alone, each control reached with Tab from the top of
// its page and showing its focus: signing in with a one-time link, the
// demo's Simulate restock, approving a held batch and downloading a
// report. (Saving the settings by keyboard is TestFirstRunInChromium's.)
func TestAdminMainLoopByKeyboardInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.NewWithin(t, firstRunBudget)
	base := m.URL()
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := m.DB.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID})
	if err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, web.SignInURL(base, token), "h1")
	tabUntil(t, ctx, `form[action="/admin/sign-in"] button`)
	pressAndWait(t, ctx, kb.Enter, ".chart")

	variant, err := m.DB.FindVariant(context.Background(), shop.ID, "sweater-m")
	if err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, base+"/admin/products", "#demo-stock-heading")
	tabUntil(t, ctx, fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=restock]`, variant.ID))
	pressAndWait(t, ctx, " ", ".banner.ok[role=status]")

	batch := heldBatch(t, m, shop, "ann@example.com")
	browse(t, ctx, base+"/admin/flow", "#held-heading")
	tabUntil(t, ctx, fmt.Sprintf(`button[value=approve_%d]`, batch))
	pressAndWait(t, ctx, kb.Enter, ".banner.ok[role=status]")
	if got := text(t, ctx, ".banner.ok"); !strings.Contains(got, "Batch approved") {
		t.Errorf("after approving by keyboard the notice reads %q", got)
	}

	downloads := t.TempDir()
	browsertest.AllowDownloads(t, ctx, downloads)
	browse(t, ctx, base+"/admin/reports", "#activity-heading")
	tabUntil(t, ctx, `a[href^="/admin/reports/activity.csv"]`)
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Enter))
	if csv := waitForDownload(t, downloads, ".csv"); !strings.Contains(csv, ",notified,Alpine Wool Sweater,M,") {
		t.Errorf("the activity downloaded by keyboard:\n%s", csv)
	}
}

// TestQuietHoursTimesSayWhoseTimeTheyAre: the Settings page's quiet hours
// start and end are each read with the hint under the checkbox above them,
// which says whose time they are (the recipient's), as every other field
// of the page is read with its own hint, then with the time saved, 24-hour
// whatever the browser's locale shows in the field.
func TestQuietHoursTimesSayWhoseTimeTheyAre(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.NewWithin(t, firstRunBudget)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	browse(t, ctx, m.URL()+"/admin/settings", "#quiet_hours_start")
	hint := browsertest.Eval[string](t, ctx, `document.getElementById("quiet_hours-hint").textContent`)
	described := map[string]string{}
	for _, n := range browsertest.AXNodes(t, ctx) {
		if n.Role == "InputTime" {
			described[n.Name] = n.Description
		}
	}
	for name, saved := range map[string]string{"Quiet hours start": "21:00", "Quiet hours end": "09:00"} {
		want := hint + " Saved: " + saved + " (24-hour clock)."
		if !strings.Contains(described[name], "recipient's local time") || described[name] != want {
			t.Errorf("%s is described as %q, want the quiet hours hint and the saved time, %q", name, described[name], want)
		}
	}
}
