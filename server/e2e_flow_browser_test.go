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
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	base := m.URL()
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain)
	if err != nil {
		t.Fatal(err)
	}
	before, err := m.DB.FindFlow(context.Background(), shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, base+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "table")
	browse(t, ctx, base+"/admin/flow", "#flow-form")
	browsertest.Do(t, ctx, chromedp.SendKeys("#s1_subject", "Your sweater is back"))
	clickAndWait(t, ctx, `#flow-form button[value=add]`, "#s2_body")
	wantPreviewOfTheForm(t, ctx, 2)
	retype := func(id, value string) {
		browsertest.Eval[bool](t, ctx, `(document.querySelector("#`+id+`").focus(), true)`)
		browsertest.Do(t, ctx, chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(kb.Delete),
			chromedp.KeyEvent(value))
	}
	retype("s2_body", "Still waiting for you.")
	retype("s2_delay", "tomorrow")
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
