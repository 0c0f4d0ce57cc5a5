package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestHeldBatchLeavesOutShoppersWhoLeft: a held shopper who unsubscribes,
// or whose data is erased, is no longer in the batch the merchant
// decides on (its list, its count, the batches counted as waiting); the
// unsubscribed shopper's held alert is skipped as unsubscribed at once,
// and approving the batch notifies, and counts, only those still held.
func TestHeldBatchLeavesOutShoppersWhoLeft(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		day := clock.Now()
		shop := manualShop(t, db, "left.myshopify.com", stockbell.TemplateEmailOnly, "v1", "v2")
		batch, subs := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com", "bea@example.com", "cy@example.com")
		_, gone := holdBatch(t, db, clock, shop.ID, "v2", "dee@example.com")
		wantHeldCount(t, db, shop.ID, 2)

		must(t, db.Unsubscribe(ctx, shop.ID, subs[1]))
		must(t, db.RedactContact(ctx, stockbell.Contact{ShopID: shop.ID, Email: "cy@example.com"}))
		must(t, db.Unsubscribe(ctx, shop.ID, gone[0]))

		held, err := db.FindHeldBatches(ctx, shop.ID)
		must(t, err)
		if len(held) != 1 || held[0].Batch.ID != batch || held[0].Held != 1 || len(held[0].Recipients) != 1 ||
			held[0].Recipients[0] != "ann@example.com" {
			t.Fatalf("held batches after two of batch %d's shoppers and the other batch's only one left: %+v", batch, held)
		}
		wantHeldCount(t, db, shop.ID, 1)
		for _, sub := range []int64{subs[1], gone[0]} {
			if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE subscription_id = ? AND status = ? AND error = ?`,
				sub, stockbell.MessageSkipped, stockbell.SkipUnsubscribed); n != 1 {
				t.Errorf("subscription %d unsubscribed: %d alerts skipped as unsubscribed, want its held alert", sub, n)
			}
		}

		sendJobs := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind()))
		n, err := db.ApproveHeldBatch(ctx, shop.ID, batch)
		must(t, err)
		if sent := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind())) - sendJobs; n != 1 || sent != 1 {
			t.Errorf("approving: %d approved, %d messages queued for sending; want Ann's alert alone", n, sent)
		}
		wantSubscriptions(t, db, shop.ID, subs[:1], stockbell.SubscriptionNotified, new(clock.Now()))
		wantSubscriptions(t, db, shop.ID, subs[1:2], stockbell.SubscriptionUnsubscribed, nil)
		if got := notifiedByDay(t, db, shop.ID, day, day); got[0] != 1 {
			t.Errorf("the dashboard counts %d notified, want Ann alone", got[0])
		}
		all := stockbell.ActivityFilter{ShopID: shop.ID, Since: day.Add(-time.Hour), Until: clock.Now().Add(time.Hour)}
		if notified, _, err := db.CountNotifiedConverted(ctx, all); err != nil || notified != 1 {
			t.Errorf("reports count %d notified (%v), want Ann alone", notified, err)
		}
		wantHeldCount(t, db, shop.ID, 0)
	})
}
