package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDailyActivity drives a restock through the store over three days and
// reads it back day by day: subscriptions, the restock (0 → 4, while a
// change from 4 to 6 is not one), the batch, notifications and a click.
func TestDailyActivity(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		product(t, db, other.ID, "p2", map[string]int{"v2": 0})
		v := variant(t, db, shop.ID, "v1")
		day1 := clock.Now()
		for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			_, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}})
			must(t, err)
		}
		_, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: other.ID, VariantID: variant(t, db, other.ID, "v2").ID,
			Email: "x@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
		must(t, err)

		clock.Add(24 * time.Hour)
		_, err = db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", Available: 4, At: clock.Now()})
		must(t, err)
		batch, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: v.ShopID, VariantID: v.ID, Size: 2, Stock: 4, PerUnit: 1, Cutoff: clock.Now()})
		must(t, err)
		_, err = db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: 1, Limit: 100})
		must(t, err)
		clock.Add(time.Minute)
		_, err = db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", Available: 6, At: clock.Now()})
		must(t, err)

		clock.Add(24 * time.Hour)
		messages, _, err := db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &shop.ID})
		must(t, err)
		_, err = db.RecordClick(ctx, messages[0].ID)
		must(t, err)

		days, err := db.DailyActivity(ctx, shop.ID, day1.Add(-24*time.Hour), clock.Now())
		must(t, err)
		want := []stockbell.ActivityDay{{}, {Subscribed: 3}, {Notified: 2, Restocks: 1, Batches: 1}, {Clicked: 1}}
		if len(days) != len(want) {
			t.Fatalf("%d days, want %d: %+v", len(days), len(want), days)
		}
		for i, d := range days {
			wantDay := want[i]
			wantDay.Day = time.Date(day1.Year(), day1.Month(), day1.Day()-1+i, 0, 0, 0, 0, time.UTC)
			if d != wantDay {
				t.Errorf("day %d = %+v, want %+v", i, d, wantDay)
			}
		}
		_, err = db.DailyActivity(ctx, shop.ID, clock.Now(), day1)
		wantCode(t, err, stockbell.EINVALID, "until")
	})
}
