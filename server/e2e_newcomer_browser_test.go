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
