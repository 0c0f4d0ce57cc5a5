package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestFirstRunInChromium walks the newcomer's loop on a development
// server in headless Chromium: the landing page, the demo product page
// (subscribing with the real snippet), the demo admin (simulating a
// restock), the outbox showing the alert, and the subscriber's timeline.
// It then changes the settings by keyboard only, watches the flow's
// preview follow typing, and keeps screenshots of the admin's pages at 360
// and 1440 px, checking each for sideways scrolling, WCAG AA contrast and
// framed boxes run together.
func TestFirstRunInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	// About 40 page loads, 18 full-page screenshots and several waits on
	// the server (each bounded on its own, up to 45 s) do not fit
	// browsertest.Timeout once the machine is loaded; this bound only stops
	// a hung browser.
	ctx := browsertest.NewWithin(t, firstRunBudget)
	base := m.URL()

	// 1. The landing page leads to the demo product page.
	browse(t, ctx, base+"/", "h1")
	clickAndWait(t, ctx, `a[href="/demo"]`, "[data-stockbell-variant]")
	if got := text(t, ctx, "h1"); got != "Alpine Wool Sweater" {
		t.Fatalf("demo page heading %q", got)
	}

	// 2. Choosing the sold-out size shows the snippet's button; subscribe.
	browsertest.Click(t, ctx, `document.querySelector("input[value=sweater-m]")`)
	waitForServer(t, ctx, `shown(button())`) // the snippet asks the server whether the shop takes alerts
	// The page names its product, so the button's accessible name tells it
	// apart from another product's.
	if got := browsertest.Eval[string](t, ctx, `button().getAttribute("aria-label") || ""`); got != "Notify me when available – Alpine Wool Sweater" {
		t.Errorf("the demo button's accessible name is %q, want the visible label and the product", got)
	}
	browsertest.Click(t, ctx, `button()`)
	waitForServer(t, ctx, `dialog() && dialog().open`) // the form is a module loaded from the server, at the latest now
	browsertest.Do(t, ctx, chromedp.KeyEvent("newcomer@example.com"))
	browsertest.Click(t, ctx, `form().querySelector("button[type=submit]")`)
	waitForServer(t, ctx, `status().textContent.includes("email you")`)
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain)
	if err != nil {
		t.Fatal(err)
	}
	if got := queuedEmails(t, m, shop); len(got) != 1 || got[0] != "newcomer@example.com" {
		t.Fatalf("queued after subscribing: %v", got)
	}

	// 3. The demo admin: simulate the restock of size M.
	browse(t, ctx, base+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "table")
	if !strings.Contains(text(t, ctx, "main"), "Alpine Wool Sweater – M") {
		t.Fatalf("products in demand lack the sweater:\n%s", text(t, ctx, "main"))
	}
	variant, err := m.DB.FindVariant(context.Background(), shop.ID, "sweater-m")
	if err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=restock]`, variant.ID), ".banner.ok")

	// 4. The alert reaches the outbox within seconds: the outbox is read
	// again, as a merchant reloads it, until it lists the message.
	if err := browsertest.Poll(ctx, `fetch("/admin/outbox").then((r) => r.text()).then((page) => page.includes("newcomer@example.com"))`,
		serverWait, 250*time.Millisecond); err != nil {
		t.Fatalf("no message in the outbox after %s: %v", serverWait, err)
	}
	browse(t, ctx, base+"/admin/outbox", "h1")
	if !strings.Contains(text(t, ctx, "main"), "newcomer@example.com") {
		t.Fatalf("the outbox page lacks the message it listed:\n%s", text(t, ctx, "main"))
	}
	clickAndWait(t, ctx, `main table a`, "iframe")
	if got := text(t, ctx, "h1"); got != "Alpine Wool Sweater is back in stock" {
		t.Errorf("outbox message subject %q", got)
	}
	outboxMessage := browsertest.Eval[string](t, ctx, `location.href`)

	// 5. The subscriber's timeline tells what happened.
	browse(t, ctx, base+"/admin/subscribers", "table")
	clickAndWait(t, ctx, `main table a`, ".timeline")
	timeline := text(t, ctx, "main")
	for _, want := range []string{"Notified on", "the email was sent to newcomer@example.com", "Restock seen: stock 0 → 5",
		"Batch 1 started", "This subscriber was in this batch.", "Message 1 sent by email"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q:\n%s", want, timeline)
		}
	}
	subscriberPage := browsertest.Eval[string](t, ctx, `location.href`)

	// 6. Settings by keyboard only; the flow's preview follows typing.
	settingsByKeyboard(t, ctx, m, shop, base)
	flowPreviewFollowsTyping(t, ctx, base)

	// 7. Screenshots of the admin's pages at a phone's and a desktop's width.
	pages := []struct{ name, url, ready string }{
		{"dashboard", base + "/admin", ".chart"}, {"settings", base + "/admin/settings", "form"},
		{"flow", base + "/admin/flow", "form"}, {"subscriber-timeline", subscriberPage, ".timeline"},
		{"outbox", base + "/admin/outbox", "table"}, {"outbox-message", outboxMessage, "iframe"},
		{"products", base + "/admin/products", "main"}, {"subscribers", base + "/admin/subscribers", "table"},
		{"privacy", base + "/admin/privacy", "form"},
	}
	for _, width := range []int64{360, 1440} {
		browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
		for _, p := range pages {
			browse(t, ctx, p.url, p.ready)
			if overflow := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth + 1`); overflow {
				t.Errorf("%s at %d px scrolls sideways", p.name, width)
			}
			for _, low := range browsertest.Eval[[]string](t, ctx, contrastCheck) {
				t.Errorf("%s at %d px: contrast below WCAG 2.2 AA: %s", p.name, width, low)
			}
			for _, pair := range browsertest.Eval[[]string](t, ctx, touchingBoxes) {
				t.Errorf("%s at %d px: boxes one above the other with no space between them: %s", p.name, width, pair)
			}
			for _, word := range browsertest.Eval[[]string](t, ctx, splitWords) {
				t.Errorf("%s at %d px: a word of preformatted text split across lines: %s", p.name, width, word)
			}
			fullScreenshot(t, ctx, fmt.Sprintf("admin-%s-%dpx", p.name, width), width)
		}
	}
}

// settingsByKeyboard reaches the settings form with Tab from the top of
// the page, types new values, checks the worked example follows, and saves
// with Enter.
func settingsByKeyboard(t *testing.T, ctx context.Context, m *Main, shop *stockbell.Shop, base string) {
	t.Helper()
	browse(t, ctx, base+"/admin/settings", "form")
	if got := tabUntil(t, ctx, "#min_inventory"); got > 20 {
		t.Errorf("%d presses of Tab to reach the first field", got)
	}
	browsertest.Do(t, ctx, chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("2"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("5"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("45m"))
	// The example is rewritten by admin.js, a deferred script the loaded
	// machine may not have run yet when typing began: wait for it, with
	// nothing submitted.
	want := "20 units × 5 per unit = the oldest 100 notified, then wait 45 minutes"
	if err := browsertest.Poll(ctx, fmt.Sprintf(`document.querySelector("[data-example]").textContent.includes(%q)`, want), serverWait, 0); err != nil {
		t.Errorf("worked example while typing: %q, want it to start %q", text(t, ctx, "[data-example]"), want)
	}
	example := text(t, ctx, "[data-example]")
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(".banner.ok")))
	s, err := m.DB.FindSettings(context.Background(), shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.MinInventory != 2 || s.PerUnit != 5 || s.Wait != 45*time.Minute {
		t.Fatalf("saved by keyboard: %+v", s)
	}
	if got := text(t, ctx, "[data-example]"); got != example {
		t.Errorf("the server's example %q differs from the one the page wrote while typing %q", got, example)
	}
}

// flowPreviewFollowsTyping types the first message's text on the flow page
// and waits for its preview frame to load a rendering of what was typed.
func flowPreviewFollowsTyping(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	const frame = `document.querySelector('iframe[data-step="1"]')`
	browse(t, ctx, base+"/admin/flow", `iframe[data-step="1"]`)
	browsertest.Eval[bool](t, ctx, `(document.querySelector("#s1_body").focus(), true)`)
	browsertest.Do(t, ctx, chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("Knitted again, just for you."))
	waitForServer(t, ctx, frame+`.src.includes("Knitted")`)
	if rendered := browsertest.Eval[string](t, ctx, `fetch(`+frame+`.src).then((r) => r.text())`); !strings.Contains(rendered, "Knitted again, just for you.") {
		t.Errorf("the preview after typing does not show the typed text:\n%.2000s", rendered)
	}
}

// serverWait bounds a step that waits on the server, which the whole
// suite running beside it on two cores may slow well past
// browsertest.WaitFor's 10 s; firstRunBudget bounds the whole walk.
const (
	serverWait     = 45 * time.Second
	firstRunBudget = 6 * time.Minute
)

// waitForServer polls expr until it is truthy, for up to serverWait.
func waitForServer(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	browsertest.WaitWithin(t, ctx, expr, serverWait)
}

// tabUntil presses Tab until the focused element matches the selector,
// checks that it shows a focus outline, and returns how many presses it
// took (failing after 60).
func tabUntil(t *testing.T, ctx context.Context, selector string) int {
	t.Helper()
	for n := 1; n <= 60; n++ {
		browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Tab))
		if browsertest.Eval[bool](t, ctx, fmt.Sprintf(`document.activeElement.matches(%q)`, selector)) {
			if !browsertest.Eval[bool](t, ctx, `(() => { const s = getComputedStyle(document.activeElement);
				return s.outlineStyle != "none" && parseFloat(s.outlineWidth) > 0; })()`) {
				t.Errorf("%s has no visible focus outline", selector)
			}
			return n
		}
	}
	t.Fatalf("Tab never reached %s", selector)
	return 0
}

// contrastCheck lists the visible text of the page whose contrast with its
// background is below WCAG 2.2 AA: 4.5:1, or 3:1 for large text (24 px, or
// 18.66 px bold). The background is the first opaque one up the tree.
const contrastCheck = `(() => {
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length == 3 || (c.length == 4 && c[3] > 0.9)) return c.slice(0, 3); } return [255, 255, 255]; };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !el.checkVisibility() || el.closest(".visually-hidden, svg, .skip, iframe")) continue;
    const st = getComputedStyle(el);
    const a = lum(rgb(st.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) low.push(n.textContent.trim().slice(0, 40) + " (" + ratio.toFixed(2) + ":1, " + st.color + ")");
  }
  return low;
})()`

// splitWords lists the short words (up to 15 characters between spaces)
// of the page's preformatted text (a message's plain text, a snippet of
// code) that are split across two lines: only a word too long for the line
// (an address) may be.
const splitWords = `(() => {
  const split = [];
  for (const pre of document.querySelectorAll("main pre")) {
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of n.textContent.matchAll(/\S{2,15}(?!\S)/g)) {
        if (m.index > 0 && /\S/.test(n.textContent[m.index - 1])) continue;
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].map((rect) => Math.round(rect.top)));
        if (tops.size > 1) split.push(m[0]);
      }
    }
  }
  return split;
})()`

// fullScreenshot keeps the whole page as NAME.png in the artifacts
// folder: the viewport is stretched to the page's height for the capture
// (frames beyond the viewport are not painted otherwise), then restored.
func fullScreenshot(t *testing.T, ctx context.Context, name string, width int64) {
	t.Helper()
	height := browsertest.Eval[float64](t, ctx, `document.documentElement.scrollHeight`)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(width, int64(height)))
	// Let the page lay out and paint at the new size (two animation frames).
	browsertest.Eval[bool](t, ctx, `new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))`)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(browsertest.ArtifactDir(t), name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)
}

// browse loads a page and waits for an element of it.
func browse(t *testing.T, ctx context.Context, url, ready string) {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// clickAndWait clicks an element and waits for the next page's element.
// The element is scrolled to at once first: the admin scrolls smoothly
// (after a field's focus, say), and a click aimed while the page still
// moves can miss. The page before is marked, so that an element of its own
// (a notice, say) is not taken for the next page's.
func clickAndWait(t *testing.T, ctx context.Context, selector, ready string) {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(selector)))
	// The click is aimed at where the element is when it is sent: smooth
	// scrolling (admin.css, without reduced motion) is turned off for the
	// page, and the element is waited on until it holds still for three
	// frames, so that no scroll still under way (a focused field's, say)
	// moves it from under the pointer.
	browsertest.Eval[bool](t, ctx, fmt.Sprintf(`(async () => {
		const el = document.querySelector(%q);
		document.documentElement.style.scrollBehavior = "auto";
		el.scrollIntoView({block: "center", behavior: "instant"});
		for (let last = "", still = 0; still < 3; ) {
			await new Promise((next) => requestAnimationFrame(next));
			const box = el.getBoundingClientRect(), at = box.top + "," + box.left;
			still = at === last ? still + 1 : 0;
			last = at;
		}
		document.body.dataset.before = "1";
		window.clickLanded = false;
		el.addEventListener("click", () => (window.clickLanded = true), {capture: true, once: true});
		return true;
	})()`, selector))
	for attempt := 1; ; attempt++ {
		browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(selector)))
		// A click aimed at where the element was an instant before can
		// miss it on a loaded machine (the page still settling after
		// typing), and then nothing happens: only such a miss is clicked
		// again. A page that is going away (the evaluation fails) or a new
		// page (no flag) means the click landed.
		missed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.clickLanded === false`))
		if err != nil || !missed || attempt == 3 {
			break
		}
		t.Logf("the click on %s did not reach it (attempt %d): clicking again", selector, attempt)
	}
	waitForPageShowing(t, ctx, "body:not([data-before]) "+ready)
}

// waitForPageShowing waits, up to serverWait, until the page's current
// document shows an element matching selector, looking again in each new
// document (browsertest.PollThroughNavigation). If the time runs out it
// says where the page is and what it says, an alert first.
func waitForPageShowing(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	shown := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.checkVisibility(); })()`, selector)
	err := browsertest.PollThroughNavigation(ctx, shown, serverWait)
	if err == nil {
		// chromedp's own wait as well, found at once now: the actions and
		// evaluations that follow run in the frame state chromedp keeps,
		// which it brings up to the new document here.
		browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(selector)))
		return
	}
	page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" +
		((document.querySelector("[role=alert]") || document.querySelector("main") || document.body || {}).innerText || "")`))
	t.Fatalf("no %s shown within %s (%v); the page is at %.1500s", selector, serverWait, err, page)
}

// text returns the visible text of the first element matching selector.
func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	return strings.TrimSpace(browsertest.Eval[string](t, ctx, `document.querySelector(`+fmt.Sprintf("%q", selector)+`).innerText`))
}
