package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// parisPhone is a French mobile number: its time zone is Europe/Paris.
const parisPhone = "+33612345678"

// heldText is a shop in New York whose live flow texts, with quiet hours
// on, and a Paris shopper notified at 22:00 UTC (23:00 in Paris): the
// text is pending, held until 09:00 in Paris; and a second shop with a
// shopper of its own.
type heldText struct {
	*waitingShop
	sub   *stockbell.Subscription
	until time.Time // 09:00 in Paris
}

func newHeldText(t *testing.T, f *adminFixture, morePhones ...string) *heldText {
	t.Helper()
	ctx := context.Background()
	now := f.clock.Now()
	f.clock.Add(time.Date(now.Year(), now.Month(), now.Day()+1, 22, 0, 0, 0, time.UTC).Sub(now))
	h := &heldText{waitingShop: newWaitingShop(t, f)}
	if _, err := f.db.UpdateSettings(ctx, h.shop.ID, stockbell.SettingsUpdate{TimeZone: ptr("America/New_York"), QuietHours: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	flow := stockbell.DefaultFlow(h.shop.ID)
	flow.Steps[0].Channel = stockbell.ChannelSMS
	if err := f.db.UpdateFlow(ctx, flow); err != nil {
		t.Fatal(err)
	}
	var sub *stockbell.Subscription
	for i, phone := range append([]string{parisPhone}, morePhones...) {
		s, _, err := f.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: h.variant.ID, Phone: phone,
			SMSConsent: true, Channels: stockbell.Channels{stockbell.ChannelSMS}, Source: "snippet"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			sub = s
		}
		var confirmations []int64
		if err := f.db.DB.SelectContext(ctx, &confirmations, f.db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ?`), s.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range confirmations {
			if _, err := f.db.Confirm(ctx, h.shop.ID, id, stockbell.ConfirmedByReply); err != nil {
				t.Fatal(err)
			}
		}
	}
	batch, err := f.db.StartBatch(ctx, stockbell.BatchStart{ShopID: h.shop.ID, VariantID: h.variant.ID, Everyone: true, Stock: 3, Cutoff: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: 1, Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	h.sub = sub
	paris, _ := time.LoadLocation("Europe/Paris")
	local := f.clock.Now().In(paris)
	h.until = time.Date(local.Year(), local.Month(), local.Day()+1, 9, 0, 0, 0, paris)
	return h
}

// heldWords is what each page says of the held text: 09:00 tomorrow in
// Paris, and the same moment in New York (03:00, or 04:00 in the weeks
// when only one of them keeps summer time).
func (h *heldText) heldWords() string {
	ny, _ := time.LoadLocation("America/New_York")
	return fmt.Sprintf("Held for quiet hours until 09:00 tomorrow the recipient&#39;s time (%s tomorrow your time)", h.until.In(ny).Format("15:04"))
}

// TestHeldTextSaysSoOnTheSubscriberPages: a text held for quiet hours is
// not "being sent" on its subscriber's page, nor a bare "notified" in the
// subscribers list: both say it is held, and until when in the
// recipient's time and the shop's, by the send run's own rule. Once the
// quiet hours are over, it no longer says so; and another shop's list
// shows nothing of it.
func TestHeldTextSaysSoOnTheSubscriberPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		h := newHeldText(t, f)
		b := f.signIn(t, h.shop)
		p := b.get(fmt.Sprintf("/admin/subscribers/%d", h.sub.ID))
		wantStatus(t, p, http.StatusOK, "the held shopper's page")
		for _, want := range []string{"the text message is held for quiet hours.", h.heldWords()} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the held shopper's page lacks %q:\n%s", want, p.Body)
			}
		}
		list := b.get("/admin/subscribers")
		wantStatus(t, list, http.StatusOK, "the subscribers list")
		if !strings.Contains(list.Body, h.heldWords()) {
			t.Errorf("the subscribers list lacks %q:\n%s", h.heldWords(), list.Body)
		}
		other := f.signIn(t, h.other).get("/admin/subscribers")
		if strings.Contains(other.Body, "quiet hours") || strings.Contains(other.Body, parisPhone) {
			t.Errorf("another shop's subscribers list shows the held text:\n%s", other.Body)
		}

		f.clock.Add(h.until.Sub(f.clock.Now()))
		p = b.get(fmt.Sprintf("/admin/subscribers/%d", h.sub.ID))
		if strings.Contains(p.Body, "quiet hours") || !strings.Contains(p.Body, "is being sent") {
			t.Errorf("at 09:00 in Paris the page still says the text is held:\n%s", p.Body)
		}
	})
}

// TestOutboxListsTheTextsHeldForQuietHours: the development Outbox, which
// lists what was sent, also lists the texts held for quiet hours, each
// with until when and a link to its subscriber, rather than leaving a
// merchant who expected an alert with nothing to see; another shop's
// Outbox lists none of them, and none is listed once the quiet hours end.
func TestOutboxListsTheTextsHeldForQuietHours(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		h := newHeldText(t, f)
		b := f.signIn(t, h.shop)
		p := b.get("/admin/outbox")
		wantStatus(t, p, http.StatusOK, "the Outbox")
		for _, want := range []string{"Held for quiet hours", parisPhone, h.heldWords(), fmt.Sprintf(`href="/admin/subscribers/%d"`, h.sub.ID)} {
			if !strings.Contains(strings.ReplaceAll(p.Body, "&#43;", "+"), want) {
				t.Errorf("the Outbox lacks %q:\n%s", want, p.Body)
			}
		}
		other := f.signIn(t, h.other).get("/admin/outbox")
		if strings.Contains(other.Body, "quiet hours") || strings.Contains(strings.ReplaceAll(other.Body, "&#43;", "+"), parisPhone) {
			t.Errorf("another shop's Outbox shows the held text:\n%s", other.Body)
		}
		f.clock.Add(h.until.Sub(f.clock.Now()))
		if p := b.get("/admin/outbox"); strings.Contains(p.Body, "Held for quiet hours") {
			t.Errorf("at 09:00 in Paris the Outbox still lists the text as held:\n%s", p.Body)
		}
	})
}
