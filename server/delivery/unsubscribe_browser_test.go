package delivery_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestUnsubscribePageInBrowser removes one alert with the mouse and the
// rest with the keyboard, in real headless Chromium on a 320 px screen.
func TestUnsubscribePageInBrowser(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	w := newWired(t, db)
	lampA := w.subscribe(t, "A", "ana@example.com", "")
	lampB := w.subscribe(t, "B", "ana@example.com", "")
	link := w.sendEmail(t, lampA)

	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile, chromedp.EmulateTouch), chromedp.Navigate(link))
	browsertest.WaitFor(t, ctx, `document.querySelectorAll("li").length == 2`)
	if overflow := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > 320`); overflow {
		t.Error("the page scrolls sideways on a 320 px screen")
	}
	browsertest.Screenshot(t, ctx, "unsubscribe-page-320px")

	browsertest.Click(t, ctx, `document.querySelector("li button")`)
	browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".done")))
	if w.status(t, lampA.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, lampB.ID) != stockbell.SubscriptionQueued {
		t.Fatal("clicking Remove on the first alert must remove it alone")
	}
	if rows := browsertest.Eval[int](t, ctx, `document.querySelectorAll("li button").length`); rows != 1 {
		t.Fatalf("%d remove buttons after removing one alert, want 1", rows)
	}

	// Keyboard only: Tab to the remaining Remove button and press Enter.
	for range 5 {
		if browsertest.Eval[bool](t, ctx, `document.activeElement && document.activeElement.matches("li button")`) {
			break
		}
		browsertest.Do(t, ctx, chromedp.KeyEvent("\t"))
	}
	browsertest.Do(t, ctx, chromedp.KeyEvent("\r"), chromedp.WaitNotPresent(chromedp.CSS("li button")))
	browsertest.WaitFor(t, ctx, `document.querySelectorAll("li button").length == 0 && document.querySelector(".done") !== null`)
	if w.status(t, lampB.ID) != stockbell.SubscriptionUnsubscribed {
		t.Fatal("pressing Enter on Remove did not remove the alert")
	}
}
