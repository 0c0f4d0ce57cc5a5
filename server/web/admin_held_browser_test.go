package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestMerchantDecidesHeldBatchesInChromium walks the Flow page's held
// batches as a merchant in headless Chromium, on a 360 px phone and a
// 1200 px screen. On the phone a batch's item and recipients take the
// card's width (not a sliver beside the batch and its buttons), its
// heading says which batch, and nothing scrolls sideways; a Discard
// pressed on a page left open after a colleague discarded the batch says
// who did. On the wide screen the batch is a table row; discarding it
// asks first, and its shopper's page, long address and all, names who
// discarded it, in its answer and its timeline.
func TestMerchantDecidesHeldBatchesInChromium(t *testing.T) {
	ctx := browsertest.NewWithin(t, 4*time.Minute)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "dee.with.a.rather.long.address@example.com", "eve@example.com", "fay@example.com")
		first := holdBatch(t, f, w)
		signInChromium(t, ctx, f, w.shop)

		openHeldBatches(t, ctx, f, 360)
		wantHeldBatchLayout(t, ctx, 360, true)
		colleague := stockbell.AdminUser{ID: "5150", Email: "ana.colleague@example.com"}
		if _, err := db.DiscardHeldBatch(context.Background(), w.shop.ID, first.ID, colleague); err != nil {
			t.Fatal(err)
		}
		browsertest.Click(t, ctx, fmt.Sprintf(`document.querySelector("button[value=discard_%d]")`, first.ID))
		waitForNewPage(t, ctx, `!!document.querySelector("[role=status]")`)
		notice := fmt.Sprintf("Batch %d was already discarded on %s by ana.colleague@example.com: its messages will not be sent.",
			first.ID, f.clock.Now().Format("2 Jan 2006, 15:04 UTC"))
		if text := mainText(t, ctx); !strings.Contains(text, notice) {
			t.Errorf("a Discard pressed after a colleague's lacks %q:\n%s", notice, text)
		}
		wantNoSidewaysScroll(t, ctx, 360, "the Flow page after a colleague's discard")

		subscribeAll(t, f, w, "gus@example.com", "hal.has.another.long.address@example.com")
		second := holdBatch(t, f, w)
		openHeldBatches(t, ctx, f, 1200)
		wantHeldBatchLayout(t, ctx, 1200, false)
		browsertest.Click(t, ctx, fmt.Sprintf(`document.querySelector("button[value=discard_%d]")`, second.ID))
		waitForNewPage(t, ctx, `!!document.querySelector("button[name=confirm]")`)
		browsertest.Click(t, ctx, `document.querySelector("button[name=confirm]")`)
		waitForNewPage(t, ctx, `location.pathname == "/admin/flow" && !document.querySelector("button[name=confirm]")`)
		if text := mainText(t, ctx); !strings.Contains(text, "Batch discarded: its messages will not be sent.") || strings.Contains(text, "Batches waiting") {
			t.Errorf("after discarding, the Flow page lacks the notice or still lists the batch:\n%s", text)
		}

		shopper := w.subs[len(w.subs)-1]
		on := f.clock.Now().Format("2 Jan 2006, 15:04 UTC")
		for _, width := range []int64{1200, 360} {
			browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
			browsertest.Do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/admin/subscribers/%d", f.url, shopper.ID)))
			waitForNewPage(t, ctx, `document.readyState == "complete" && !!document.querySelector(".timeline")`)
			text := mainText(t, ctx)
			for _, want := range []string{
				"Not notified: owner@example.com discarded their batch's alert on " + on + ".",
				fmt.Sprintf("Batch %d discarded by owner@example.com", second.ID),
				"Discarded by owner@example.com on " + on + ": their alert was not sent.",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("at %d px the discarded shopper's page lacks %q:\n%s", width, want, text)
				}
			}
			wantNoSidewaysScroll(t, ctx, width, "the discarded shopper's page")
		}
	})
}

// openHeldBatches opens the Flow page at width and waits for its held batches.
func openHeldBatches(t *testing.T, ctx context.Context, f *adminFixture, width int64) {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
	browsertest.Do(t, ctx, chromedp.Navigate(f.url+"/admin/flow"))
	waitForNewPage(t, ctx, `!!document.querySelector("table.held-batches button[value^=discard_]")`)
}

// wantHeldBatchLayout checks the first held batch's row: stacked, its
// item cell spans the card and its heading reads "Batch N"; else a row
// of a table, the item beside the batch. Either way its buttons and the
// page stay within the screen.
func wantHeldBatchLayout(t *testing.T, ctx context.Context, width int64, stacked bool) {
	t.Helper()
	got := browsertest.Eval[map[string]float64](t, ctx, `(() => {
		const row = document.querySelector("table.held-batches tbody tr"), th = row.querySelector("th"), item = row.querySelector("td");
		const buttons = [...row.querySelectorAll("button")].map(b => b.getBoundingClientRect());
		return {item: item.getBoundingClientRect().width, table: row.getBoundingClientRect().width,
			itemTop: item.getBoundingClientRect().top, headTop: th.getBoundingClientRect().top,
			buttonsRight: Math.max(...buttons.map(b => b.right)), labelled: getComputedStyle(th, "::before").content.includes("Batch") ? 1 : 0};
	})()`)
	if stacked && (got["item"] < 0.9*got["table"] || got["labelled"] != 1 || got["itemTop"] <= got["headTop"]) {
		t.Errorf("at %d px the held batch's item is %.0f px of its %.0f px row, or its heading is not labelled \"Batch\" (%v)", width, got["item"], got["table"], got)
	}
	if !stacked && got["itemTop"] != got["headTop"] {
		t.Errorf("at %d px the held batch's item is not beside its batch: %v", width, got)
	}
	if got["buttonsRight"] > float64(width) {
		t.Errorf("at %d px the held batch's buttons end at %.0f px, off the screen", width, got["buttonsRight"])
	}
	wantNoSidewaysScroll(t, ctx, width, "the Flow page's held batches")
}

func wantNoSidewaysScroll(t *testing.T, ctx context.Context, width int64, what string) {
	t.Helper()
	if scroll := browsertest.Eval[int64](t, ctx, `document.documentElement.scrollWidth`); scroll > width {
		t.Errorf("%s scrolls sideways at %d px: %d px wide", what, width, scroll)
	}
}

func mainText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return browsertest.Eval[string](t, ctx, `document.body.innerText.replace(/\s+/g, " ")`)
}

// subscribeAll signs the emails up for w's variant, a minute apart, and
// adds them to w.subs.
func subscribeAll(t *testing.T, f *adminFixture, w *waitingShop, emails ...string) {
	t.Helper()
	for _, email := range emails {
		sub, _, err := f.db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
			Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}})
		if err != nil {
			t.Fatal(err)
		}
		w.subs = append(w.subs, sub)
		f.clock.Add(time.Minute)
	}
}
