package delivery_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// A shopper who signed up for the same variant more than once (alerted,
// then signed up again when it sold out again; or removed, then signed up
// again) sees rows that say when each sign-up was made, with the time where
// two share a day, not identical rows; each Remove button names its row's
// date, and removes that sign-up alone.
func TestUnsubscribePageTellsRepeatedSignUpsApart(t *testing.T) {
	bctx := browsertest.New(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		alerted, _ := w.notifiedMessage(t, "ana@example.com") // March 1, 2025, 12:00
		w.clock.Add(48 * time.Hour)
		again := w.subscribe(t, "A", "ana@example.com", "")
		if err := db.Unsubscribe(ctx, w.shop.ID, again.ID); err != nil {
			t.Fatal(err)
		}
		w.clock.Add(2 * time.Hour)
		latest := w.subscribe(t, "A", "ana@example.com", "")
		link := w.sendEmail(t, latest)

		browsertest.Do(t, bctx, chromedp.Navigate(link))
		browsertest.WaitFor(t, bctx, `document.querySelectorAll("li").length == 3`)
		rows := browsertest.Eval[[]string](t, bctx, `[...document.querySelectorAll("li > span:first-child")].map(s => s.textContent)`)
		want := []string{"Lamp A (Brass) signed up on March 1, 2025", "Lamp A (Brass) signed up on March 3, 2025, 12:00\u00a0UTC",
			"Lamp A (Brass) signed up on March 3, 2025, 14:00\u00a0UTC"}
		if !slices.Equal(rows, want) {
			t.Errorf("rows %q, want %q", rows, want)
		}
		var removes []string
		for _, name := range browsertest.ButtonNames(t, bctx) {
			if strings.HasPrefix(name, "Remove:") {
				removes = append(removes, name)
			}
		}
		if want := []string{"Remove: Lamp A (Brass) signed up on March 1, 2025", "Remove: Lamp A (Brass) signed up on March 3, 2025, 14:00\u00a0UTC"}; !slices.Equal(removes, want) {
			t.Errorf("Remove buttons %q, want %q", removes, want)
		}

		browsertest.Click(t, bctx, `document.querySelectorAll("li button")[0]`)
		browsertest.Do(t, bctx, chromedp.WaitVisible(chromedp.CSS(".done")))
		if w.status(t, alerted.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, latest.ID) != stockbell.SubscriptionQueued {
			t.Error("Remove on the March 1 row must remove that sign-up alone")
		}
	})
}
