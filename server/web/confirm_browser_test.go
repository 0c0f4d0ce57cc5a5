package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// A shopper who confirms from the keyboard on a phone is told in the page's
// title and heading that the alert is confirmed: a screen reader announces
// the title and heading of the page the button loads first, so "Confirm
// your alert" there would read as if nothing had happened.
func TestConfirmedPageSaysConfirmedInItsTitleAndHeading(t *testing.T) {
	ctx := browsertest.New(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		openConfirmPageOnAPhone(t, ctx, db)
		if got := browsertest.Eval[string](t, ctx, `document.title + " | " + document.querySelector("h1").textContent`); got != "Confirm your alert | Confirm your alert" {
			t.Errorf("before confirming, title and heading %q", got)
		}
		browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Tab))
		if got := browsertest.Eval[string](t, ctx, `document.activeElement.textContent`); got != "Confirm" {
			t.Fatalf("Tab reached %q, want the Confirm button", got)
		}
		browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Enter))
		waitForNewPage(t, ctx, `!!document.querySelector(".done")`)
		if got := browsertest.Eval[string](t, ctx, `document.title + " | " + document.querySelector("h1").textContent`); got != "Alert confirmed | Alert confirmed" {
			t.Errorf("after confirming, title and heading %q, want %q", got, "Alert confirmed | Alert confirmed")
		}
		if overflow := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > 390`); overflow {
			t.Error("the page scrolls sideways on a 390 px screen")
		}
	})
}

// On a phone the confirmation page's white card keeps clear of the
// screen's edges, as on a wide screen, rather than touching them.
func TestConfirmPageCardKeepsClearOfANarrowScreensEdges(t *testing.T) {
	ctx := browsertest.New(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		openConfirmPageOnAPhone(t, ctx, db)
		if left, right := browsertest.SideGaps(t, ctx, `document.querySelector("main")`); left < 16 || right < 16 {
			t.Errorf("the card is %.0f px from the left edge and %.0f px from the right on a 390 px screen, want at least 16", left, right)
		}
		browsertest.Screenshot(t, ctx, "confirm-page-390px")
	})
}

// waitForNewPage waits until expr is true in the page a navigation loads:
// while the old page unloads, evaluating fails, so failures are retried.
func waitForNewPage(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	if err := browsertest.PollThroughNavigation(ctx, expr, 20*time.Second); err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// openConfirmPageOnAPhone opens, at a phone's width, the confirmation page
// of a new SMS subscription waiting for its shopper's confirmation.
func openConfirmPageOnAPhone(t *testing.T, ctx context.Context, db *store.DB) {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	_, link := newOptin(t, db).subscribeAndAsk(t, "+12015550123")
	browsertest.Do(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible("form button"))
}
