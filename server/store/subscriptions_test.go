package store_test

import (
	"sync"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func subscribe(t *testing.T, db *store.DB, shopID, variantID int64, email, phone string) (*stockbell.Subscription, bool) {
	t.Helper()
	c := stockbell.SubscriptionCreate{ShopID: shopID, VariantID: variantID, Email: email, Phone: phone, Source: "snippet"}
	if email != "" {
		c.Channels = append(c.Channels, stockbell.ChannelEmail)
	}
	if phone != "" {
		c.Channels = append(c.Channels, stockbell.ChannelSMS)
		c.SMSConsent = true
	}
	sub, created, err := db.CreateSubscription(ctx, c)
	must(t, err)
	return sub, created
}

func TestCreateSubscriptionDedupes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "dedupe.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"a": 0, "b": 0})
		a, b := variant(t, db, shop.ID, "a"), variant(t, db, shop.ID, "b")

		first, created := subscribe(t, db, shop.ID, a.ID, "ann@example.com", "+14155550100")
		if !created || first.Status != stockbell.SubscriptionQueued || len(first.Channels) != 2 {
			t.Fatalf("first subscription = %+v created=%v", first, created)
		}
		again, created := subscribe(t, db, shop.ID, a.ID, "", "+14155550100")
		if created || again.ID != first.ID {
			t.Fatalf("same phone queued twice: created=%v id=%d want %d", created, again.ID, first.ID)
		}
		again, created = subscribe(t, db, shop.ID, a.ID, "ann@example.com", "")
		if created || again.ID != first.ID {
			t.Fatalf("same email queued twice: created=%v", created)
		}
		other, created := subscribe(t, db, shop.ID, b.ID, "ann@example.com", "")
		if !created || other.ID == first.ID {
			t.Fatal("a subscription to another variant was refused")
		}
		_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE subscriptions SET status = 'notified' WHERE id = ?`), first.ID)
		must(t, err)
		renewed, created := subscribe(t, db, shop.ID, a.ID, "ann@example.com", "")
		if !created || renewed.ID == first.ID {
			t.Fatal("a notified subscription blocked a new one")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = 'subscribed'`); n != 3 {
			t.Fatalf("subscribed events = %d, want 3", n)
		}
	})
}

func TestCreateSubscriptionConcurrentSameContact(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "race.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"a": 0})
		a := variant(t, db, shop.ID, "a")
		var wg sync.WaitGroup
		ids := make([]int64, 8)
		errs := make([]error, 8)
		for i := range ids {
			wg.Go(func() {
				sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: a.ID,
					Email: "race@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
				errs[i] = err
				if err == nil {
					ids[i] = sub.ID
				}
			})
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil {
				t.Fatalf("concurrent subscribe %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("concurrent subscribes returned ids %v, want one id", ids)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM subscriptions`); n != 1 {
			t.Fatalf("%d subscriptions stored, want 1", n)
		}
	})
}

func TestCreateSubscriptionRefusesBadInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "bad.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"a": 0})
		a := variant(t, db, shop.ID, "a")
		email := stockbell.Channels{stockbell.ChannelEmail}
		cases := []struct {
			name   string
			create stockbell.SubscriptionCreate
			code   string
			field  string
		}{
			{"no channel", stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: a.ID, Email: "x@example.com"}, stockbell.EINVALID, "channels"},
			{"email channel without email", stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: a.ID, Channels: email, Phone: "+14155550100"}, stockbell.EINVALID, "email"},
			{"sms channel without phone", stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: a.ID, Channels: stockbell.Channels{stockbell.ChannelSMS}}, stockbell.EINVALID, "phone"},
			{"unknown variant", stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: a.ID + 100, Channels: email, Email: "x@example.com"}, stockbell.ENOTFOUND, ""},
		}
		for _, c := range cases {
			_, _, err := db.CreateSubscription(ctx, c.create)
			wantCode(t, err, c.code, c.field)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM subscriptions`); n != 0 {
			t.Fatalf("%d subscriptions stored from bad input", n)
		}
	})
}

func TestFindSubscriptionsAndUnsubscribe(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "find.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"a": 0})
		a := variant(t, db, shop.ID, "a")
		var ids []int64
		for _, email := range []string{"c@example.com", "a@example.com", "b@example.com"} {
			sub, _ := subscribe(t, db, shop.ID, a.ID, email, "")
			ids = append(ids, sub.ID)
			clock.Add(1)
		}
		queued := stockbell.SubscriptionQueued
		subs, total, err := db.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &shop.ID, VariantID: &a.ID, Status: &queued})
		must(t, err)
		if total != 3 || subs[0].ID != ids[0] || subs[2].ID != ids[2] {
			t.Fatalf("FindSubscriptions total=%d order=%v, want oldest first %v", total, subs, ids)
		}
		must(t, db.Unsubscribe(ctx, shop.ID, ids[1]))
		must(t, db.Unsubscribe(ctx, shop.ID, ids[1]))
		sub, err := db.FindSubscriptionByID(ctx, shop.ID, ids[1])
		must(t, err)
		if sub.Status != stockbell.SubscriptionUnsubscribed {
			t.Fatalf("status after unsubscribe = %s", sub.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = 'unsubscribed'`); n != 1 {
			t.Fatalf("unsubscribed events = %d, want 1", n)
		}
		wantCode(t, db.Unsubscribe(ctx, shop.ID, 999999), stockbell.ENOTFOUND, "")
		_, err = db.FindSubscriptionByID(ctx, shop.ID, 999999)
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}
