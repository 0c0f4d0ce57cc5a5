package store_test

import (
	"slices"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFindMessagesOfSubscriptionsByChannel: a page of subscriptions reads
// its pending texts in one query (MessageFilter.SubscriptionIDs and
// Channel), the others' messages, emails and sent texts left out; an
// empty list of subscriptions matches nothing rather than every message.
func TestFindMessagesOfSubscriptionsByChannel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		v := variant(t, db, shop.ID, "v1")
		subs := make([]int64, 3)
		for i, phone := range []string{"+33612345670", "+33612345671", "+33612345672"} {
			subs[i] = insertSubscription(t, db, shop.ID, v.ID, "", phone, stockbell.SubscriptionNotified)
		}
		insert := func(sub int64, step int, channel stockbell.Channel, status stockbell.MessageStatus) int64 {
			var id int64
			must(t, db.DB.GetContext(ctx, &id, db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient,
				status, due_at, created_at) VALUES (?, ?, ?, ?, 'r', ?, ?, ?) RETURNING id`), shop.ID, sub, step, channel, status, clock.Now(), clock.Now()))
			return id
		}
		want := []int64{insert(subs[0], 1, stockbell.ChannelSMS, stockbell.MessagePending), insert(subs[1], 2, stockbell.ChannelSMS, stockbell.MessagePending)}
		insert(subs[1], 1, stockbell.ChannelSMS, stockbell.MessageSent)
		insert(subs[0], 2, stockbell.ChannelEmail, stockbell.MessagePending)
		insert(subs[2], 1, stockbell.ChannelSMS, stockbell.MessagePending) // not asked for

		sms, pending := stockbell.ChannelSMS, stockbell.MessagePending
		ms, n, err := db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &shop.ID, SubscriptionIDs: subs[:2], Channel: &sms, Status: &pending})
		must(t, err)
		var got []int64
		for _, m := range ms {
			got = append(got, m.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) || n != 2 {
			t.Fatalf("pending texts of the first two subscriptions: %v (total %d), want %v", got, n, want)
		}
		ms, n, err = db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &shop.ID, SubscriptionIDs: []int64{}})
		must(t, err)
		if len(ms) != 0 || n != 0 {
			t.Fatalf("no subscriptions matched %d messages (total %d), want none", len(ms), n)
		}
	})
}
