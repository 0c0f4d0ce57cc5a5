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
		if err := w.d.Unsubscribes.Remove(ctx, link(stockbell.ChannelEmail), "all"); err != nil {
			t.Fatal(err)
		}
		if w.status(t, both.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, sameEmail.ID) != stockbell.SubscriptionUnsubscribed ||
			w.status(t, samePhone.ID) != stockbell.SubscriptionQueued {
			t.Fatal("removing all through the email link touched the phone's other alert, or missed the address's")
		}
		if err := w.d.Unsubscribes.Remove(ctx, link(stockbell.ChannelEmail), strconv.FormatInt(samePhone.ID, 10)); stockbell.ErrorCode(err) != stockbell.EINVALID {
			t.Fatalf("removing the phone's other alert through the email link: %v, want EINVALID", err)
		}
	})
}
