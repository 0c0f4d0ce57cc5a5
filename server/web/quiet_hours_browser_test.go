package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestMerchantSeesTheTextHeldForQuietHoursInChromium walks, as a merchant
// signed in with a one-time link, every page that shows a text held for
// its recipient's quiet hours (the clock injected at 22:00 UTC, 23:00 in
// Paris): the subscribers list beside the "notified" badge, the
// subscriber's page in its answer and its messages, and the Outbox; each
// says it is held for quiet hours, until 09:00 the recipient's time, with
// the shop's own time (New York) beside it.
func TestMerchantSeesTheTextHeldForQuietHoursInChromium(t *testing.T) {
	ctx := browsertest.New(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		h := newHeldText(t, f)
		token, _, err := db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: h.shop.ID, Email: "owner@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		browsertest.Do(t, ctx, chromedp.Navigate(f.url+web.SignInPath+"?token="+url.QueryEscape(token)), chromedp.WaitVisible("form button"),
			chromedp.Click("form button"))
		waitForNewPage(t, ctx, `location.pathname === "/admin"`)
		want := strings.ReplaceAll(h.heldWords(), "&#39;", "'")

		browsertest.Do(t, ctx, chromedp.Navigate(f.url+"/admin/subscribers"), chromedp.WaitVisible("main table"))
		if got := browsertest.Eval[string](t, ctx, `document.querySelector(".quiet-held")?.textContent ?? ""`); got != want {
			t.Errorf("the subscribers list says %q beside the badge, want %q", got, want)
		}

		browsertest.Do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/admin/subscribers/%d", f.url, h.sub.ID)), chromedp.WaitVisible(".answer"))
		answer := browsertest.Eval[string](t, ctx, `document.querySelector(".answer").parentElement.innerText`)
		if !strings.Contains(answer, "the text message is held for quiet hours.") || !strings.Contains(answer, want) {
			t.Errorf("the subscriber's answer reads %q, want it held for quiet hours: %q", answer, want)
		}
		if got := browsertest.Eval[string](t, ctx, `document.querySelector("main table tbody td:nth-of-type(2)").innerText`); !strings.Contains(got, want) {
			t.Errorf("the subscriber's message reads %q, want %q", got, want)
		}
		browsertest.Screenshot(t, ctx, "subscriber-held-for-quiet-hours")

		browsertest.Do(t, ctx, chromedp.Navigate(f.url+"/admin/outbox"), chromedp.WaitVisible("main h1"))
		if got := browsertest.Eval[string](t, ctx, `document.querySelector("#quiet-held li")?.innerText ?? ""`); !strings.Contains(got, parisPhone) || !strings.Contains(got, want) {
			t.Errorf("the Outbox lists %q, want the Paris text held: %q", got, want)
		}
		browsertest.Screenshot(t, ctx, "outbox-held-for-quiet-hours")
	})
}
