package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestFlowRefusalKeepsTypingInChromium: on the flow page a merchant types a
// subject, adds a second message, types its text and a wait that is not a
// duration, and saves. The page comes back refused with the error beside
// that wait, focused there, and everything typed still in the form; the
// saved flow is unchanged.
func TestFlowRefusalKeepsTypingInChromium(t *testing.T) {
	m, ctx, shop, before := openDemoFlowPage(t)
	browsertest.Do(t, ctx, chromedp.SendKeys("#s1_subject", "Your sweater is back"))
	clickAndWait(t, ctx, `#flow-form button[value=add]`, "#s2_body")
	wantPreviewOfTheForm(t, ctx, 2)
	retypeField(t, ctx, "s2_body", "Still waiting for you.")
	retypeField(t, ctx, "s2_delay", "tomorrow")
	clickAndWait(t, ctx, `#flow-form button[value=save]`, "#s2_delay-error")
	if got := text(t, ctx, "#s2_delay-error"); !strings.Contains(got, `not "tomorrow"`) {
		t.Errorf("the error beside the wait reads %q", got)
	}
	for id, want := range map[string]string{"s1_subject": "Your sweater is back", "s2_body": "Still waiting for you.", "s2_delay": "tomorrow"} {
		if got := browsertest.Eval[string](t, ctx, `document.querySelector("#`+id+`").value`); got != want {
			t.Errorf("after the refusal #%s holds %q, typed %q", id, got, want)
		}
	}
	wantPreviewOfTheForm(t, ctx, 1)
	if focused := browsertest.Eval[string](t, ctx, `document.activeElement.id`); focused != "s2_delay" {
		t.Errorf("focus is on #%s, not on the refused wait", focused)
	}
	after, err := m.DB.FindFlow(context.Background(), shop.ID)
	if err != nil || len(after.Steps) != len(before.Steps) || after.Steps[0].Subject != before.Steps[0].Subject {
		t.Fatalf("the refused form changed the flow: %+v (%v)", after, err)
	}
}

// wantPreviewOfTheForm checks that message n's preview shows the form as
// it stands, not the saved flow (which may not have message n): its frame
// loads the preview with the form's fields, and the server answers it.
func wantPreviewOfTheForm(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	frame := fmt.Sprintf(`document.querySelector('iframe[data-step="%d"]')`, n)
	browsertest.WaitFor(t, ctx, frame+`.src.includes("s1_channel=")`)
	status := browsertest.Eval[int](t, ctx, `fetch(`+frame+`.src).then(r => r.status)`)
	if status != http.StatusOK {
		t.Errorf("message %d's preview answers %d", n, status)
	}
}

// TestFlowActionsKeepTestAddressAndPreviewLanguageInChromium: a merchant
// types where tests go, previews message 1 in French and writes its wait
// their own way, then adds a message: all three are still as typed, and
// the preview is in French. They preview message 2 in German, add a third
// message and remove the first: the German message, now first, keeps its
// language and its preview shows German; the test of it goes to the typed
// address, in German. Nothing of this is saved.
func TestFlowActionsKeepTestAddressAndPreviewLanguageInChromium(t *testing.T) {
	m, ctx, shop, before := openDemoFlowPage(t)
	retypeField(t, ctx, "test_to", "tests@example.com")
	retypeField(t, ctx, "s1_delay", "90m")
	choosePreviewLanguage(t, ctx, 1, "fr")
	clickAndWait(t, ctx, `#flow-form button[value=add]`, "#s2_body")
	wantFields(t, ctx, "after adding a message", map[string]string{"test_to": "tests@example.com", "s1_preview": "fr", "s1_delay": "90m", "s2_preview": "en"})
	wantPreviewIn(t, ctx, 1, "fr", "est de nouveau en stock")

	choosePreviewLanguage(t, ctx, 2, "de")
	clickAndWait(t, ctx, `#flow-form button[value=add]`, "#s3_body")
	// With three messages the page offers no "Add a message": it is back
	// once one is removed.
	clickAndWait(t, ctx, `#flow-form button[value=remove_1]`, `#flow-form button[value=add]`)
	wantFields(t, ctx, "after removing message 1", map[string]string{"test_to": "tests@example.com", "s1_preview": "de", "s1_delay": "24h", "s2_preview": "en"})
	wantPreviewIn(t, ctx, 1, "de", "ist wieder vorrätig")

	clickAndWaitForNotice(t, ctx, `#flow-form button[value=test_1]`, "sent to tests@example.com")
	wantFields(t, ctx, "after the test", map[string]string{"test_to": "tests@example.com", "s1_preview": "de"})
	sent, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
	if err != nil || len(sent) == 0 || sent[0].Recipient != "tests@example.com" || !strings.Contains(sent[0].Subject, "ist wieder vorrätig") {
		t.Fatalf("the test went out as %+v (%v), not to the typed address in German", sent, err)
	}
	after, err := m.DB.FindFlow(context.Background(), shop.ID)
	if err != nil || len(after.Steps) != len(before.Steps) || after.Steps[0].Delay != before.Steps[0].Delay {
		t.Fatalf("adding and removing messages changed the saved flow: %+v (%v)", after, err)
	}
}

// retypeField replaces a field's text by typing, as a merchant would.
func retypeField(t *testing.T, ctx context.Context, id, value string) {
	t.Helper()
	browsertest.Eval[bool](t, ctx, `(document.querySelector("#`+id+`").focus(), true)`)
	browsertest.Do(t, ctx, chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(kb.Delete),
		chromedp.KeyEvent(value))
}

// choosePreviewLanguage picks message n's preview language, as a merchant
// does, and waits for its preview to follow.
func choosePreviewLanguage(t *testing.T, ctx context.Context, n int, code string) {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.SetValue(fmt.Sprintf("#s%d_preview", n), code))
	browsertest.Eval[bool](t, ctx, fmt.Sprintf(`["input", "change"].every((e) => document.querySelector("#s%d_preview").dispatchEvent(new Event(e, {bubbles: true})))`, n))
	waitForServer(t, ctx, fmt.Sprintf(`document.querySelector('iframe[data-step="%d"]').src.includes("s%d_preview=%s")`, n, n, code))
}

// wantFields checks the values the form's fields hold.
func wantFields(t *testing.T, ctx context.Context, when string, want map[string]string) {
	t.Helper()
	for id, value := range want {
		if got := browsertest.Eval[string](t, ctx, `document.querySelector("#`+id+`").value`); got != value {
			t.Errorf("%s #%s holds %q, want %q", when, id, got, value)
		}
	}
}

// wantPreviewIn checks that message n's preview frame shows the message
// in the language chosen: its subject has the words given.
func wantPreviewIn(t *testing.T, ctx context.Context, n int, code, words string) {
	t.Helper()
	frame := fmt.Sprintf(`document.querySelector('iframe[data-step="%d"]')`, n)
	waitForServer(t, ctx, fmt.Sprintf(`%s.src.includes("s%d_preview=%s")`, frame, n, code))
	subject := browsertest.Eval[string](t, ctx, `fetch(`+frame+`.src + "&format=text").then((r) => r.text())`)
	if !strings.Contains(subject, words) {
		t.Errorf("message %d's preview in %s reads:\n%.500s", n, code, subject)
	}
}

// openDemoFlowPage starts a development server and opens the demo shop's
// Flow page in Chromium, signed in from the start page. It returns the
// server, the browser, the shop and its flow as saved before.
func openDemoFlowPage(t *testing.T) (*Main, context.Context, *stockbell.Shop, *stockbell.Flow) {
	t.Helper()
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain)
	if err != nil {
		t.Fatal(err)
	}
	before, err := m.DB.FindFlow(context.Background(), shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "table")
	browse(t, ctx, m.URL()+"/admin/flow", "#flow-form")
	return m, ctx, shop, before
}
