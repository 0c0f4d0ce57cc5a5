package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSubscriberPageShowsTheWaitAfterABatchToEveryoneQueued: a batch sized
// by customers per unit that takes everyone queued starts the wait; the
// notified shopper's timeline says it started, and a shopper who signs up
// right after, with the item in stock, is told why she waits and until when.
func TestSubscriberPageShowsTheWaitAfterABatchToEveryoneQueued(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		batch, bea := waitAfterABatchToEveryone(t, f, w, "bea@example.com")

		b := f.signIn(t, w.shop)
		until := batch.WaitingUntil.UTC().Format("2 Jan 2006, 15:04 UTC")
		pages := map[int64][]string{
			w.subs[0].ID: {"Wait between batches started", "Stock is counted again at " + until + " (a wait of 1 hour) for the shoppers waiting then"},
			bea.ID:       {"Waiting: 1st in line of 1", "A wait between batches runs until " + until + "; stock is counted again then"},
		}
		for id, wants := range pages {
			p := b.get(fmt.Sprintf("/admin/subscribers/%d", id))
			wantStatus(t, p, http.StatusOK, "a subscriber's page")
			for _, want := range wants {
				if !strings.Contains(p.Body, want) {
					t.Errorf("subscriber %d's page lacks %q", id, want)
				}
			}
		}
	})
}

// TestProductsInDemandShowTheWaitRunning: after a batch sized by customers
// per unit that took everyone queued, a shopper who signs up waits while
// the item is in stock; her variant's row on Products in demand says the
// next batch waits until when. A wait the engine ended, or one whose end
// has come, shows nothing.
func TestProductsInDemandShowTheWaitRunning(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		row := func() string {
			t.Helper()
			p := b.get("/admin/products")
			wantStatus(t, p, http.StatusOK, "products in demand")
			rows := regexp.MustCompile(`(?s)<tr>\s*<th scope="row">.*?</tr>`).FindAllString(p.Body, -1)
			if len(rows) != 1 {
				t.Fatalf("%d rows, want the sweater's:\n%s", len(rows), p.Body)
			}
			return visibleText(rows[0])
		}
		const notice = "Wait between batches until"
		first, _ := waitAfterABatchToEveryone(t, f, w, "bea@example.com")
		want := notice + " " + first.WaitingUntil.UTC().Format("2 Jan 2006, 15:04 UTC") + "; stock is counted again then."
		if got := row(); !strings.Contains(got, want) {
			t.Errorf("during the wait the row %q lacks %q", got, want)
		}
		ended, err := db.EndWait(context.Background(), stockbell.WaitEnd{ShopID: w.shop.ID, VariantID: w.variant.ID, Until: *first.WaitingUntil})
		if err != nil || !ended {
			t.Fatalf("ending the wait: %v, %v", ended, err)
		}
		if got := row(); strings.Contains(got, notice) {
			t.Errorf("a wait the engine ended still shows: %q", got)
		}

		second, _ := waitAfterABatchToEveryone(t, f, w, "cy@example.com")
		f.clock.Add(second.WaitingUntil.Sub(f.clock.Now()))
		if got := row(); strings.Contains(got, notice) {
			t.Errorf("at the wait's end the row still says it runs: %q", got)
		}
	})
}

// waitAfterABatchToEveryone restocks the sweater with 1 unit and starts a
// batch sized for 5 shoppers that takes the 1 queued, which starts the
// wait between batches (1 hour); a minute later the newcomer subscribes.
func waitAfterABatchToEveryone(t *testing.T, f *adminFixture, w *waitingShop, newcomer string) (*stockbell.RestockBatch, *stockbell.Subscription) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: w.shop.ID, VariantPlatformID: "v-m", Available: 1, At: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	batch, err := f.db.StartBatch(ctx, stockbell.BatchStart{ShopID: w.shop.ID, VariantID: w.variant.ID, Size: 5, Stock: 1, PerUnit: 5,
		Wait: time.Hour, Cutoff: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if batch.WaitingUntil == nil {
		t.Fatal("a batch of 5 taking the 1 shopper queued started no wait")
	}
	if _, err := f.db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: w.shop.ID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Minute)
	sub, _, err := f.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID, Email: newcomer,
		Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
	if err != nil {
		t.Fatal(err)
	}
	return batch, sub
}
