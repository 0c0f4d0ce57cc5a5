package store_test

import (
	"reflect"
	"testing"
	"time"

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

// The subscription a batch answers with is the one stored: the batch's
// insert reads back only the id, the contact and the time, and fills in the
// rest from the request, so every field must come out as a read of the row
// gives it, also when the same contact posts twice in the batch with other
// details.
func TestSubscriptionBatchAnswersTheStoredRow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "answer.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"a": 0})
		a := variant(t, db, shop.ID, "a")
		subs, created, errs := store.CreateSubscriptionsInOneBatch(db, []stockbell.SubscriptionCreate{
			{ShopID: shop.ID, VariantID: a.ID, Email: "ann@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail},
				Locale: "fr-CA", MarketingConsent: true, ConsentIP: "192.0.2.7", Source: "snippet"},
			{ShopID: shop.ID, VariantID: a.ID, Email: "bob@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail},
				Source: "api"},
			{ShopID: shop.ID, VariantID: a.ID, Email: "ann@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail},
				Locale: "de", Source: "import"},
		})
		for i, err := range errs {
			if err != nil || created[i] != (i < 2) {
				t.Fatalf("request %d: created %v, %v", i, created[i], err)
			}
		}
		if subs[2].ID != subs[0].ID {
			t.Fatalf("the contact again in the batch got subscription %d, want the first's %d", subs[2].ID, subs[0].ID)
		}
		for _, sub := range subs {
			stored, err := db.FindSubscriptionByID(ctx, shop.ID, sub.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !sub.CreatedAt.Equal(stored.CreatedAt) || !sub.UpdatedAt.Equal(stored.UpdatedAt) || stored.NotifiedAt != nil || sub.NotifiedAt != nil {
				t.Fatalf("times answered %v %v %v, stored %v %v %v", sub.CreatedAt, sub.UpdatedAt, sub.NotifiedAt,
					stored.CreatedAt, stored.UpdatedAt, stored.NotifiedAt)
			}
			answered, read := *sub, *stored
			answered.CreatedAt, answered.UpdatedAt, read.CreatedAt, read.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if !reflect.DeepEqual(answered, read) {
				t.Fatalf("answered %+v\nstored   %+v", answered, read)
			}
		}
		for i, want := range []string{`{"channels":["email"],"source":"snippet"}`, `{"channels":["email"],"source":"api"}`} {
			events, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID, SubscriptionID: &subs[i].ID})
			if err != nil {
				t.Fatal(err)
			}
			if total != 1 || events[0].Kind != stockbell.EventSubscribed || events[0].Detail != want ||
				*events[0].VariantID != a.ID || events[0].CreatedAt.IsZero() {
				t.Fatalf("subscription %d's events: %d, %+v; want one subscribed with %s", subs[i].ID, total, events, want)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = 'subscribed'`); n != 2 {
			t.Fatalf("%d subscribed events stored, want 2", n)
		}
	})
}
