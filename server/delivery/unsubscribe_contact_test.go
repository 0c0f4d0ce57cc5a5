package delivery_test

import (
	"slices"
	"strconv"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestUnsubscribeLinkSpeaksForItsContact: a link mailed to an address
// lists and removes that address's alerts only — never those of the phone
// number the same subscription gave, which another shopper may share — and
// a link texted to a number, that number's.
func TestUnsubscribeLinkSpeaksForItsContact(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		both := w.subscribe(t, "A", "ana@example.com", "+15551230001")
		samePhone := w.subscribe(t, "B", "bo@example.com", "+15551230001")
		sameEmail := w.subscribe(t, "B", "ana@example.com", "")
		signer := newSigner(t)
		link := func(ch stockbell.Channel) string {
			return signer.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: both.ID, ShopID: both.ShopID, Channel: ch})
		}
		listed := func(token string) []int64 {
			list, err := w.d.Unsubscribes.ContactAlerts(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, a := range list.Alerts {
				ids = append(ids, a.SubscriptionID)
			}
			slices.Sort(ids)
			return ids
		}
		for _, c := range []struct {
			name  string
			token string
			want  []int64
		}{
			{"email link", link(stockbell.ChannelEmail), []int64{both.ID, sameEmail.ID}},
			{"sms link", link(stockbell.ChannelSMS), []int64{both.ID, samePhone.ID}},
			{"link from before the channel was recorded", link(""), []int64{both.ID, sameEmail.ID}},
		} {
			if got := listed(c.token); !slices.Equal(got, c.want) {
				t.Errorf("%s lists %v, want %v", c.name, got, c.want)
			}
		}
		if _, err := w.d.Unsubscribes.Remove(ctx, link(stockbell.ChannelEmail), "all"); err != nil {
			t.Fatal(err)
		}
		if w.status(t, both.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, sameEmail.ID) != stockbell.SubscriptionUnsubscribed ||
			w.status(t, samePhone.ID) != stockbell.SubscriptionQueued {
			t.Fatal("removing all through the email link touched the phone's other alert, or missed the address's")
		}
		if _, err := w.d.Unsubscribes.Remove(ctx, link(stockbell.ChannelEmail), strconv.FormatInt(samePhone.ID, 10)); stockbell.ErrorCode(err) != stockbell.EINVALID {
			t.Fatalf("removing the phone's other alert through the email link: %v, want EINVALID", err)
		}
	})
}

// TestRemoveAllRemovesEveryAlert: "Remove all alerts" removes every alert
// of the link's contact at the shop, however many — more than the store
// lists in one page — and the page lists them all.
func TestRemoveAllRemovesEveryAlert(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		const alerts = 250
		subs := manyAlerts(t, w.shopFixture, "ana@example.com", alerts)
		other := w.subscribe(t, "A", "bo@example.com", "")
		token := newSigner(t).UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: subs[0].ID, ShopID: subs[0].ShopID,
			Channel: stockbell.ChannelEmail})
		if _, err := w.d.Unsubscribes.Remove(ctx, token, "all"); err != nil {
			t.Fatal(err)
		}
		queued := stockbell.SubscriptionQueued
		email := "ana@example.com"
		left, n, err := db.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &w.shop.ID, Email: &email, Status: &queued, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d of %d alerts still queued after removing all (the first: %d)", n, alerts, left[0].ID)
		}
		if w.status(t, other.ID) != stockbell.SubscriptionQueued {
			t.Fatal("removing all removed another shopper's alert")
		}
		list, err := w.d.Unsubscribes.ContactAlerts(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Alerts) != alerts || list.Active != 0 {
			t.Fatalf("the page lists %d alerts, %d active; want %d, none active", len(list.Alerts), list.Active, alerts)
		}
	})
}

// manyAlerts subscribes email to n variants of a product of their own.
func manyAlerts(t *testing.T, f *shopFixture, email string, n int) []*stockbell.Subscription {
	t.Helper()
	up := stockbell.ProductUpsert{ShopID: f.shop.ID, PlatformID: "many", Title: "Swatch", URL: "https://nord.example/products/swatch", Published: true}
	for i := range n {
		up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: "swatch-" + strconv.Itoa(i), Title: "No. " + strconv.Itoa(i),
			Price: "1.00", Tracked: true, InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "main"}}})
	}
	if _, err := f.db.UpsertProduct(ctx, up); err != nil {
		t.Fatal(err)
	}
	subs := make([]*stockbell.Subscription, n)
	for i := range n {
		v, err := f.db.FindVariant(ctx, f.shop.ID, "swatch-"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		subs[i], _, err = f.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: f.shop.ID, VariantID: v.ID, Email: email,
			Channels: []stockbell.Channel{stockbell.ChannelEmail}, Locale: "en", Source: "snippet"})
		if err != nil {
			t.Fatal(err)
		}
	}
	return subs
}

// TestHeldAlertCanBeStopped: an alert whose batch awaits the merchant's
// approval may still send, so its shopper can stop it; a discarded one
// sends nothing more.
func TestHeldAlertCanBeStopped(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		held := w.subscribe(t, "A", "ana@example.com", "")
		discarded := w.subscribe(t, "B", "ana@example.com", "")
		for sub, status := range map[int64]stockbell.SubscriptionStatus{held.ID: stockbell.SubscriptionHeld, discarded.ID: stockbell.SubscriptionDiscarded} {
			if _, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE subscriptions SET status = ? WHERE id = ?`), status, sub); err != nil {
				t.Fatal(err)
			}
		}
		token := newSigner(t).UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: held.ID, ShopID: held.ShopID, Channel: stockbell.ChannelEmail})
		list, err := w.d.Unsubscribes.ContactAlerts(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range list.Alerts {
			if a.Active != (a.SubscriptionID == held.ID) {
				t.Errorf("alert %d listed active=%v; only the held one (%d) may still send", a.SubscriptionID, a.Active, held.ID)
			}
		}
		if _, err := w.d.Unsubscribes.Remove(ctx, token, "all"); err != nil {
			t.Fatal(err)
		}
		if w.status(t, held.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, discarded.ID) != stockbell.SubscriptionDiscarded {
			t.Errorf("after removing all: held %s, discarded %s", w.status(t, held.ID), w.status(t, discarded.ID))
		}
	})
}
