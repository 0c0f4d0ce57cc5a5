package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestPreviewedEmailLinksOpenATabOfTheirOwn: the links of an email shown
// in the admin (a message in the Outbox, the Flow page's preview) open the
// page they lead to in a tab of its own, as a mail program does, and the
// email stays where it was. Followed inside the preview's frame, they
// would show a broken frame instead: the product page and the unsubscribe
// page refuse to be framed.
func TestPreviewedEmailLinksOpenATabOfTheirOwn(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	browse(t, ctx, m.URL()+"/admin/flow", `button[value=test_1]`)
	clickAndWait(t, ctx, `button[value=test_1]`, ".banner.ok")
	shop, _ := demoSizeM(t, m)
	sent, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
	if err != nil || len(sent) != 1 {
		t.Fatalf("the outbox after sending a test: %v (%v)", sent, err)
	}
	for _, frame := range []string{fmt.Sprintf("/admin/outbox/%d/html", sent[0].ID), "/admin/flow/preview?step=1"} {
		browse(t, ctx, m.URL()+frame, "a")
		href := browsertest.Eval[string](t, ctx, `document.querySelector("a").href`)
		browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("a")))
		if !openedInATab(ctx, href) {
			t.Errorf("%s: the link to %s opened no tab of its own", frame, href)
		}
		if got := browsertest.Eval[string](t, ctx, `location.pathname + location.search`); got != frame {
			t.Errorf("%s: following its link left the email for %s", frame, got)
		}
	}
}

// openedInATab waits, up to serverWait, for a tab of the browser to show
// url.
func openedInATab(ctx context.Context, url string) bool {
	for until := time.Now().Add(serverWait); time.Now().Before(until); time.Sleep(100 * time.Millisecond) {
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			return false
		}
		for _, target := range targets {
			if target.Type == "page" && strings.HasPrefix(target.URL, url) {
				return true
			}
		}
	}
	return false
}

// TestDemoTakesATextMessageSignUp: the demo product page offers the alert
// by text message too, as the start page says: a newcomer leaves a mobile
// number for size M, simulates its restock in the admin, finds the text in
// the Outbox, follows its link to the product page, and Reports counts
// the click.
func TestDemoTakesATextMessageSignUp(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.NewWithin(t, 3*time.Minute)
	browse(t, ctx, m.URL()+"/", "h1")
	if got := text(t, ctx, "ol.loop li"); !strings.Contains(got, "or a mobile number") {
		t.Errorf("the start page's first step does not offer a text message: %q", got)
	}
	browse(t, ctx, m.URL()+"/demo?variant=sweater-m", "[data-stockbell-variant]")
	waitForServer(t, ctx, `shown(button())`)
	browsertest.Click(t, ctx, `button()`)
	waitForServer(t, ctx, `dialog() && dialog().open`)
	if !browsertest.Eval[bool](t, ctx, `!!field("phone")`) {
		t.Fatal("the demo's sign-up form asks for no mobile number")
	}
	browsertest.Eval[chromedp.Void](t, ctx, `(() => { field("phone").value = "+33 6 12 34 56 78"; field("sms_consent").checked = true;
		form().querySelector("button[type=submit]").click(); })()`)
	waitForServer(t, ctx, `status().textContent.includes("text you")`)

	_, sizeM := demoSizeM(t, m)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	clickAndWait(t, ctx, fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=restock]`, sizeM.ID), ".banner.ok")
	if err := browsertest.Poll(ctx, `fetch("/admin/outbox").then((r) => r.text()).then((page) => page.includes("33612345678"))`,
		serverWait, 250*time.Millisecond); err != nil {
		t.Fatalf("no text message in the outbox after %s: %v", serverWait, err)
	}
	browse(t, ctx, m.URL()+"/admin/outbox", "main table a")
	clickAndWait(t, ctx, `main table a`, ".sms-bubble")
	link := browsertest.Eval[string](t, ctx, `document.querySelector(".sms-bubble a").href`)
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(".sms-bubble a")))
	// The link names the server by its public URL (localhost), as the
	// product page it leads to does.
	origin, _, _ := strings.Cut(link, "/r/")
	if !openedInATab(ctx, origin+"/demo") {
		t.Fatalf("following the text message's link %s opened no product page", link)
	}
	// The click is counted as the short link redirects, before the tab
	// shows the product page.
	browse(t, ctx, m.URL()+"/admin/reports", ".stat")
	clicked := `[...document.querySelectorAll(".stat")].find((s) => s.querySelector(".label").textContent == "clicked").querySelector(".value").textContent`
	if got := browsertest.Eval[string](t, ctx, clicked); got != "1" {
		t.Errorf("Reports counts %s clicks after the text message's link was followed, want 1", got)
	}
}

// TestCommandsBreakOnlyBetweenTheirWords: a terminal command the pages
// give (on the start page, the sign-in page, Settings and API keys), when
// it does not fit its line, breaks between its words, never inside one
// after a hyphen ("link -" above "-shop DOMAIN"), at a phone's and a
// desktop's width.
func TestCommandsBreakOnlyBetweenTheirWords(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	// A sign-in link refused (pressing Sign in) names the command in a
	// sentence; the other pages are read as they open.
	pages := []struct{ path, press string }{{"/admin/sign-in?signed_out=1", ""}, {"/admin/sign-in?token=used-already", "main button"},
		{"/", ""}, {"/admin/settings", ""}, {"/admin/api-keys", ""}}
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	for _, width := range []int64{360, 1280} {
		browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
		for _, p := range pages {
			page := p.path
			if p.press == "" {
				browse(t, ctx, m.URL()+page, "main code")
			} else {
				browse(t, ctx, m.URL()+page, p.press)
				clickAndWait(t, ctx, p.press, "main p code")
			}
			for _, word := range browsertest.Eval[[]string](t, ctx, splitCommandWords) {
				t.Errorf("%s at %d px: a command's word is split across lines: %s", page, width, word)
			}
		}
	}
}

// splitCommandWords lists the words of the page's commands (code that
// starts "go run" or "stockbell", after a PORT the command is given)
// split across lines.
const splitCommandWords = `(() => {
  const split = [];
  for (const code of document.querySelectorAll("main code")) {
    if (!/^(PORT=\d+ )?(go run|stockbell) /.test(code.textContent)) continue;
    const text = code.textContent;
    for (const m of text.matchAll(/\S+/g)) {
      const r = document.createRange(), at = (i) => { // the text node and offset of the i-th character
        const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) { if (i <= n.length) return [n, i]; i -= n.length; }
      };
      r.setStart(...at(m.index));
      r.setEnd(...at(m.index + m[0].length));
      const tops = new Set([...r.getClientRects()].filter((b) => b.width > 0).map((b) => Math.round(b.top)));
      if (tops.size > 1) split.push(m[0]);
    }
  }
  return split;
})()`

// TestStartPageButtonsCentreTheirText: on a phone, where the start page's
// two buttons wrap their text, the link that looks like a button centres
// its lines as the real button does.
func TestStartPageButtonsCentreTheirText(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(360, 900))
	browse(t, ctx, m.URL()+"/", "ol.loop")
	aligned := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll("ol.loop a.button, ol.loop button")].map((b) => getComputedStyle(b).textAlign)`)
	if len(aligned) != 2 || aligned[0] != aligned[1] {
		t.Errorf("the start page's buttons align their text %q, want both the same", aligned)
	}
}

// TestTextMessageFitsItsBubble: a text message in the Outbox whose link is
// longer than its bubble is wide (a confirmation's) wraps the link inside
// the bubble, and the Outbox lists text messages within its width, at a
// phone's and a desktop's width.
func TestTextMessageFitsItsBubble(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	shop, _ := demoSizeM(t, m)
	sms := &stockbell.OutboxMessage{ShopID: shop.ID, Channel: stockbell.ChannelSMS, Recipient: "+12015550123", FromName: shop.Name, ProviderID: "dev-1",
		Text: "Stockbell Demo Shop: confirm you want one text when Alpine Wool Sweater (M) is back in stock. Reply YES or tap " +
			m.URL() + "/confirm/AQGVwP7YBrt0C8jbdZsGVvIAOrkY1-0AQGVwP7YBrt0C8jbdZsGVvIAOrkY1"}
	alert := &stockbell.OutboxMessage{ShopID: shop.ID, Channel: stockbell.ChannelSMS, Recipient: "+12015550123", FromName: shop.Name, ProviderID: "dev-2",
		Text: "Stockbell Demo Shop: Alpine Wool Sweater (M) is back in stock. " + m.URL() + "/r/AdYS8Wkszg Reply STOP to opt out."}
	for _, message := range []*stockbell.OutboxMessage{sms, alert} {
		if err := m.DB.RecordOutboxMessage(context.Background(), message); err != nil {
			t.Fatal(err)
		}
	}
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	for _, width := range []int64{360, 1280} {
		browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
		browse(t, ctx, fmt.Sprintf("%s/admin/outbox/%d", m.URL(), sms.ID), ".sms-bubble a")
		outside := browsertest.Eval[bool](t, ctx, `(() => { const bubble = document.querySelector(".sms-bubble").getBoundingClientRect();
			return [...document.querySelector(".sms-bubble a").getClientRects()].some((r) => r.right > bubble.right + 0.5 || r.left < bubble.left - 0.5); })()`)
		if outside {
			t.Errorf("at %d px the text message's link runs out of its bubble", width)
		}
		browse(t, ctx, m.URL()+"/admin/outbox", "main table")
		if wide := browsertest.Eval[bool](t, ctx, `[...document.querySelectorAll("main .table-wrap")].some((w) => w.scrollWidth > w.clientWidth + 1)`); wide {
			t.Errorf("at %d px the outbox's list of text messages scrolls sideways in its box", width)
		}
	}
}
