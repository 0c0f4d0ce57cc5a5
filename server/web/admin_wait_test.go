package web_test

import (
	"context"
	"fmt"
	"net/http"
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
		ctx := context.Background()
		if _, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: w.shop.ID, VariantPlatformID: "v-m", Available: 1, At: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		batch, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: w.shop.ID, VariantID: w.variant.ID, Size: 5, Stock: 1, PerUnit: 5,
			Wait: time.Hour, Cutoff: f.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if batch.WaitingUntil == nil {
			t.Fatal("a batch of 5 taking the 1 shopper queued started no wait")
		}
		if _, err := db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: w.shop.ID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		bea, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID, Email: "bea@example.com",
			Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		if err != nil {
			t.Fatal(err)
		}

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
