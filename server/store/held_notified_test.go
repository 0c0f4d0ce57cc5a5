package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// manualShop installs a shop whose flow (from the template) is manual,
// with one product of the variants, all sold out.
func manualShop(t *testing.T, db *store.DB, domain, template string, variants ...string) *stockbell.Shop {
	t.Helper()
	shop := install(t, db, stockbell.PlatformShopify, domain)
	flow, err := stockbell.FlowFromTemplate(shop.ID, template)
	must(t, err)
	flow.Status = stockbell.FlowManual
	must(t, db.UpdateFlow(ctx, flow))
	stocks := map[string]int{}
	for _, v := range variants {
		stocks[v] = 0
	}
	product(t, db, shop.ID, "p1", stocks)
	return shop
}

// holdBatch subscribes the emails to the shop's variant, a second apart,
// and claims them all in one batch, which the manual flow holds.
func holdBatch(t *testing.T, db *store.DB, clock *storetest.Clock, shopID int64, platformID string, emails ...string) (int64, []int64) {
	t.Helper()
	creates := make([]stockbell.SubscriptionCreate, len(emails))
	for i, email := range emails {
		creates[i] = stockbell.SubscriptionCreate{Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}}
	}
	return holdContacts(t, db, clock, shopID, platformID, creates)
}

// holdContacts subscribes the contacts to the shop's variant, a second
// apart, and claims them all in one batch: a manual flow holds their
// alerts, a live one makes them pending.
func holdContacts(t *testing.T, db *store.DB, clock *storetest.Clock, shopID int64, platformID string, creates []stockbell.SubscriptionCreate) (int64, []int64) {
	t.Helper()
	v := variant(t, db, shopID, platformID)
	var subs []int64
	for _, create := range creates {
		create.ShopID, create.VariantID = shopID, v.ID
		sub, _, err := db.CreateSubscription(ctx, create)
		must(t, err)
		subs = append(subs, sub.ID)
		clock.Add(time.Second)
	}
	b, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: shopID, VariantID: v.ID, Everyone: true, Stock: 5, Cutoff: clock.Now()})
	must(t, err)
	_, err = db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: shopID, BatchID: b.ID, Chunk: 1, Limit: 100})
	must(t, err)
	return b.ID, subs
}

// wantSubscriptions fails unless each subscription has the status, and
// was notified at `at` (nil: not notified).
func wantSubscriptions(t *testing.T, db *store.DB, shopID int64, ids []int64, status stockbell.SubscriptionStatus, at *time.Time) {
	t.Helper()
	for _, id := range ids {
		s, err := db.FindSubscriptionByID(ctx, shopID, id)
		must(t, err)
		if s.Status != status || (at == nil) != (s.NotifiedAt == nil) || (at != nil && !s.NotifiedAt.Equal(*at)) {
			t.Errorf("subscription %d: %s notified at %v, want %s at %v", id, s.Status, s.NotifiedAt, status, at)
		}
	}
}

// notifiedByDay returns the notified count of each day from first, as
// the dashboard reads it.
func notifiedByDay(t *testing.T, db *store.DB, shopID int64, first, last time.Time) []int {
	t.Helper()
	days, err := db.DailyActivity(ctx, shopID, first, last)
	must(t, err)
	out := make([]int, len(days))
	for i, d := range days {
		out[i] = d.Notified
	}
	return out
}

// notifiedWebhooks counts the subscription.notified deliveries queued.
func notifiedWebhooks(t *testing.T, db *store.DB) int {
	t.Helper()
	n := 0
	for _, d := range deliveries(t, db) {
		if d["type"] == stockbell.WebhookSubscriptionNotified {
			n++
		}
	}
	return n
}

// TestHeldBatchNotifiesOnApproval: shoppers of a batch a manual flow
// holds await approval: they are not notified (status, dashboard,
// reports, webhooks) until the merchant approves the batch, and then on
// the day of the approval; a discarded batch notifies no one, ever.
func TestHeldBatchNotifiesOnApproval(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		day1 := clock.Now()
		shop := manualShop(t, db, "held.myshopify.com", stockbell.TemplateEmailOnly, "v1", "v2")
		mustEndpoint(t, db, shop.ID, stockbell.WebhookSubscriptionNotified)
		approved, approvedSubs := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com", "bob@example.com")
		discarded, discardedSubs := holdBatch(t, db, clock, shop.ID, "v2", "cat@example.com")

		wantSubscriptions(t, db, shop.ID, append(approvedSubs, discardedSubs...), stockbell.SubscriptionHeld, nil)
		if got := notifiedByDay(t, db, shop.ID, day1, day1); got[0] != 0 {
			t.Errorf("notified on the day the batches were held: %v, want 0", got)
		}
		if n := notifiedWebhooks(t, db); n != 0 {
			t.Errorf("%d subscription.notified webhooks for held batches, want none", n)
		}
		wantHeldCount(t, db, shop.ID, 2)

		clock.Add(24 * time.Hour)
		approvedAt := clock.Now()
		_, err := db.ApproveHeldBatch(ctx, shop.ID, approved, decider)
		must(t, err)
		_, err = db.DiscardHeldBatch(ctx, shop.ID, discarded, decider)
		must(t, err)

		wantSubscriptions(t, db, shop.ID, approvedSubs, stockbell.SubscriptionNotified, &approvedAt)
		wantSubscriptions(t, db, shop.ID, discardedSubs, stockbell.SubscriptionDiscarded, nil)
		if got := notifiedByDay(t, db, shop.ID, day1, approvedAt); got[0] != 0 || got[1] != 2 {
			t.Errorf("notified per day %v, want [0 2]: the approved shoppers on the approval day", got)
		}
		all := stockbell.ActivityFilter{ShopID: shop.ID, Since: day1.Add(-time.Hour), Until: clock.Now().Add(time.Hour)}
		if notified, _, err := db.CountNotifiedConverted(ctx, all); err != nil || notified != 2 {
			t.Errorf("reports count %d notified (%v), want the 2 approved", notified, err)
		}
		if n := notifiedWebhooks(t, db); n != 2 {
			t.Errorf("%d subscription.notified webhooks, want 2 for the approved batch", n)
		}
		var exported []time.Time
		must(t, db.EachActivity(ctx, all, func(r *stockbell.ActivityRecord) error {
			if r.Kind == stockbell.EventNotified || r.Kind == stockbell.EventHeld {
				exported = append(exported, r.At)
			}
			return nil
		}))
		if len(exported) != 2 || !exported[0].Equal(approvedAt) || !exported[1].Equal(approvedAt) {
			t.Errorf("activity export's notified rows at %v, want the 2 approved at %v", exported, approvedAt)
		}
	})
}

// TestApprovedShopperIsNotifiedOnce: in a manual flow with a reminder,
// the reminder is held in the batch of the alert, and approving it
// notifies no one again.
func TestApprovedShopperIsNotifiedOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := manualShop(t, db, "reminder.myshopify.com", stockbell.TemplateEmailReminder, "v1")
		mustEndpoint(t, db, shop.ID, stockbell.WebhookSubscriptionNotified)
		batch, subs := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com")
		_, err := db.ApproveHeldBatch(ctx, shop.ID, batch, decider)
		must(t, err)
		var first int64
		must(t, db.DB.GetContext(ctx, &first, db.DB.Rebind(`SELECT id FROM messages WHERE subscription_id = ? AND step = 1`), subs[0]))
		_, err = db.FinishMessage(ctx, stockbell.MessageResult{ShopID: shop.ID, MessageID: first, Status: stockbell.MessageSent})
		must(t, err)

		held, err := db.FindHeldBatches(ctx, shop.ID)
		must(t, err)
		if len(held) != 1 || held[0].Batch.ID != batch || held[0].Held != 1 {
			t.Fatalf("held after the alert was sent: %+v, want the reminder in batch %d", held, batch)
		}
		_, err = db.ApproveHeldBatch(ctx, shop.ID, batch, decider)
		must(t, err)
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE subscription_id = ? AND kind = ?`, subs[0], stockbell.EventNotified); n != 1 {
			t.Errorf("%d notified events, want 1", n)
		}
		if n := notifiedWebhooks(t, db); n != 1 {
			t.Errorf("%d subscription.notified webhooks, want 1", n)
		}
	})
}
