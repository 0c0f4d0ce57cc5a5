package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestRemovalNamesWhoRemovedInChromium: a held shopper removed from her
// batch by a colleague signed in by a link made for no one named reads,
// to the owner in headless Chromium, as removed by that sign-in, in the
// page's answer, its removal line and her hold's line; never "you" nor
// "by you". A removal recorded before Stockbell kept who removed (its
// "by" the literal "you") names no one.
func TestRemovalNamesWhoRemovedInChromium(t *testing.T) {
	ctx := browsertest.NewWithin(t, 4*time.Minute)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com")
		batch := holdBatch(t, f, w)
		colleague := signInForNoOne(t, f, w.shop)
		ann := fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID)
		colleague.post(ann+"/remove", url.Values{"confirm": {"yes"}, "csrf_token": {colleague.get(ann).csrf(t)}})
		// Bea's removal as recorded before: the zero AdminUser stored "you".
		if _, err := db.RemoveSubscription(context.Background(), w.shop.ID, w.subs[1].ID, stockbell.AdminUser{}); err != nil {
			t.Fatal(err)
		}
		signInChromium(t, ctx, f, w.shop)
		on := f.clock.Now().Format("2 Jan 2006, 15:04 UTC")
		annText := subscriberPageText(t, ctx, f, w.subs[0].ID)
		someone := "someone signed in by a link made for no one named"
		for _, want := range []string{
			fmt.Sprintf("Removed from batch %d on %s by %s, before the batch was approved.", batch.ID, on, someone),
			"Removed in the admin by " + someone + " before the batch was approved",
			"then not sent, because the subscriber was removed from their batch before it was approved.",
		} {
			if !strings.Contains(annText, want) {
				t.Errorf("Ann's page lacks %q:\n%s", want, annText)
			}
		}
		beaText := subscriberPageText(t, ctx, f, w.subs[1].ID)
		if want := "Removed in the admin (who removed them was not recorded) before the batch was approved"; !strings.Contains(beaText, want) {
			t.Errorf("Bea's page lacks %q:\n%s", want, beaText)
		}
		for name, text := range map[string]string{"Ann": annText, "Bea": beaText} {
			if strings.Contains(text, "by you") || strings.Contains(text, "you removed") || strings.Contains(text, "before you approved") {
				t.Errorf("%s's page tells the owner they removed her:\n%s", name, text)
			}
		}
	})
}

// signInForNoOne signs in by a one-time link made for no one named.
func signInForNoOne(t *testing.T, f *adminFixture, shop *stockbell.Shop) *browser {
	t.Helper()
	token, _, err := f.db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID})
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	b.useLink(token)
	return b
}

// subscriberPageText opens a subscriber's page in Chromium and returns
// its main text.
func subscriberPageText(t *testing.T, ctx context.Context, f *adminFixture, id int64) string {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/admin/subscribers/%d", f.url, id)))
	waitForNewPage(t, ctx, `document.readyState == "complete" && !!document.querySelector(".timeline")`)
	return mainText(t, ctx)
}
