package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestPrivacyFindsSubscriptionsLeftByStop: STOP takes the number off a
// subscription by text alone, which stays unsubscribed with no contact,
// but still with its sign-up's consent IP, consent wording and events. A
// data request for the number answers them (its confirmation and texts
// name it), an erasure deletes them, and nobody else's subscription goes.
func TestPrivacyFindsSubscriptionsLeftByStop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "stop.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0, "v2": 0})
		byText := func(variantID string, phone string) int64 {
			sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: variant(t, db, shop.ID, variantID).ID,
				Phone: phone, Channels: stockbell.Channels{stockbell.ChannelSMS}, SMSConsent: true, SMSConsentText: "Texts from Stop Shop",
				ConsentIP: "203.0.113.7", Source: "snippet"})
			must(t, err)
			return sub.ID
		}
		const us = "+12015550123"
		confirmed := byText("v1", us) // a US number confirms by a request sent to it
		texted := byText("v2", us)
		insertMessage(t, db, shop.ID, texted, us) // its alert, sent to the number
		stranger := insertSubscription(t, db, shop.ID, variant(t, db, shop.ID, "v1").ID, "", "+12015550199", stockbell.SubscriptionQueued)
		if n, err := db.StopSMS(ctx, us); err != nil || n != 2 {
			t.Fatalf("STOP changed %d subscriptions (%v), want 2", n, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM subscriptions WHERE shop_id = ? AND phone = ''`, shop.ID); n != 2 {
			t.Fatalf("%d subscriptions without a number after STOP, want 2", n)
		}

		asked := stockbell.Contact{ShopID: shop.ID, Phone: us}
		data, err := db.ContactData(ctx, asked)
		must(t, err)
		if len(data.Subscriptions) != 2 || data.Subscriptions[0].ID != confirmed || data.Subscriptions[1].ID != texted ||
			data.Subscriptions[0].ConsentIP != "203.0.113.7" {
			t.Errorf("the data request answers subscriptions %+v, want the two the number made", data.Subscriptions)
		}
		if kinds := eventKinds(data.Events); len(kinds) < 4 {
			t.Errorf("the data request answers the events %v, want each subscription's subscribed and unsubscribed", kinds)
		}

		must(t, db.RedactContact(ctx, asked))
		left := count(t, db, `SELECT COUNT(*) FROM subscriptions WHERE shop_id = ? AND id IN (?, ?)`, shop.ID, confirmed, texted)
		events := count(t, db, `SELECT COUNT(*) FROM events WHERE shop_id = ? AND subscription_id IN (?, ?)`, shop.ID, confirmed, texted)
		if left+events != 0 {
			t.Errorf("after the erasure %d of the number's subscriptions and %d of their events remain", left, events)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM subscriptions WHERE id = ?`, stranger); n != 1 {
			t.Error("the erasure took another number's subscription")
		}
	})
}

func eventKinds(events []*stockbell.Event) []stockbell.EventKind {
	kinds := make([]stockbell.EventKind, len(events))
	for i, e := range events {
		kinds[i] = e.Kind
	}
	return kinds
}
