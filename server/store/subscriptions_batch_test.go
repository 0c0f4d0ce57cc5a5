package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// A batch of new subscriptions whose one request fails stores every other
// request's subscription and event, and a contact twice in one batch is
// stored once.
func TestSubscriptionBatchFailsOnlyItsOwnRequests(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "batch.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"a": 0})
		a := variant(t, db, shop.ID, "a")
		email := func(variantID int64, address string) stockbell.SubscriptionCreate {
			return stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: variantID, Email: address,
				Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"}
		}
		subs, created, errs := store.CreateSubscriptionsInOneBatch(db, []stockbell.SubscriptionCreate{
			email(a.ID, "ann@example.com"), email(a.ID+1000, "bob@example.com"), email(a.ID, "cy@example.com"),
			email(a.ID, "ann@example.com"),
		})
		if stockbell.ErrorCode(errs[1]) != stockbell.ENOTFOUND {
			t.Fatalf("unknown variant: %v, want ENOTFOUND", errs[1])
		}
		for _, i := range []int{0, 2, 3} {
			if errs[i] != nil {
				t.Fatalf("request %d failed with the batch: %v", i, errs[i])
			}
		}
		if !created[0] || !created[2] || created[3] || subs[3].ID != subs[0].ID {
			t.Fatalf("created = %v, ids %d %d %d: want two new, the repeated contact's the first", created, subs[0].ID, subs[2].ID, subs[3].ID)
		}
		if subs[0].Status != stockbell.SubscriptionQueued || subs[0].Email != "ann@example.com" || subs[0].Source != "snippet" {
			t.Fatalf("stored subscription = %+v", subs[0])
		}
		if n := count(t, db, `SELECT COUNT(*) FROM subscriptions`); n != 2 {
			t.Fatalf("%d subscriptions stored, want 2", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = 'subscribed'`); n != 2 {
			t.Fatalf("%d subscribed events, want 2", n)
		}
	})
}
