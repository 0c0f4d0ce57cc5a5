package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestHeldBatches: a manual flow holds each batch's messages; the
// merchant approves one batch and discards another, each in one go, and
// another shop can touch neither.
func TestHeldBatches(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		flow := stockbell.DefaultFlow(shop.ID)
		flow.Status = stockbell.FlowManual
		must(t, db.UpdateFlow(ctx, flow))
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0, "v2": 0})
		batches := map[string]int64{}
		for _, pid := range []string{"v1", "v2"} {
			v := variant(t, db, shop.ID, pid)
			for i := range 3 {
				_, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID,
					Email: pid + "-" + string(rune('a'+i)) + "@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
				must(t, err)
				clock.Add(time.Second)
			}
			b, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: v.ShopID, VariantID: v.ID, Everyone: true, Stock: 5, Cutoff: clock.Now()})
			must(t, err)
			_, err = db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: b.ShopID, BatchID: b.ID, Chunk: 1, Limit: 100})
			must(t, err)
			batches[pid] = b.ID
			clock.Add(time.Minute)
		}
		held, err := db.FindHeldBatches(ctx, shop.ID)
		must(t, err)
		if len(held) != 2 || held[0].Batch.ID != batches["v1"] || held[0].Held != 3 || held[0].Variant.PlatformID != "v1" ||
			len(held[0].Recipients) != 3 || held[0].Recipients[0] != "v1-a@example.com" {
			t.Fatalf("held batches: %+v", held)
		}
		wantHeldCount(t, db, shop.ID, 2)
		wantHeldCount(t, db, other.ID, 0)
		_, err = db.ApproveHeldBatch(ctx, other.ID, batches["v1"], decider)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		sendJobs := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind()))
		n, err := db.ApproveHeldBatch(ctx, shop.ID, batches["v1"], decider)
		must(t, err)
		if n != 3 || len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind())) != sendJobs+3 {
			t.Fatalf("approved %d, send jobs %d → %d", n, sendJobs, len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind())))
		}
		n, err = db.DiscardHeldBatch(ctx, shop.ID, batches["v2"], decider)
		must(t, err)
		if n != 3 {
			t.Fatalf("discarded %d", n)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM messages WHERE shop_id = ? AND status = ?`, shop.ID, stockbell.MessagePending); got != 3 {
			t.Errorf("%d pending messages, want the approved 3", got)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM messages WHERE shop_id = ? AND status = ? AND error = ?`, shop.ID,
			stockbell.MessageSkipped, stockbell.SkipDiscarded); got != 3 {
			t.Errorf("%d discarded messages, want 3", got)
		}
		held, err = db.FindHeldBatches(ctx, shop.ID)
		must(t, err)
		if len(held) != 0 {
			t.Fatalf("still held: %+v", held)
		}
		wantHeldCount(t, db, shop.ID, 0)
		_, err = db.DiscardHeldBatch(ctx, shop.ID, batches["v2"], decider)
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

// wantHeldCount fails unless CountHeldBatches counts want batches of the shop.
func wantHeldCount(t *testing.T, db *store.DB, shopID int64, want int) {
	t.Helper()
	if n, err := db.CountHeldBatches(ctx, shopID); err != nil || n != want {
		t.Errorf("CountHeldBatches of shop %d: %d %v, want %d", shopID, n, err, want)
	}
}
