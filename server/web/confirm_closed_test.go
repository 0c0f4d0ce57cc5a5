package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// askByText subscribes an email address and a US number, which is queued
// by email and waits for the number's confirmation, runs the job that
// texts it and returns the subscription and the link in the text.
func (fx *optinFixture) askByText(t *testing.T, email, phone string) (*stockbell.Subscription, string) {
	t.Helper()
	ctx := context.Background()
	sub, _, err := fx.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: fx.shop.ID, VariantID: fx.variant.ID,
		Email: email, Phone: phone, Channels: stockbell.Channels{stockbell.ChannelEmail, stockbell.ChannelSMS}, SMSConsent: true})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Status != stockbell.SubscriptionQueued || !sub.AwaitsConfirmation(stockbell.ChannelSMS) {
		t.Fatalf("the subscription by %s and %s is %s awaiting %v, want queued awaiting sms", email, phone, sub.Status, sub.Awaiting)
	}
	var id int64
	if err := fx.db.DB.GetContext(ctx, &id, fx.db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ?`), sub.ID); err != nil {
		t.Fatal(err)
	}
	if err := fx.confirm.HandleSendConfirmation(ctx, stockbell.SendConfirmationJob{ShopID: fx.shop.ID, ConfirmationID: id}); err != nil {
		t.Fatal(err)
	}
	last := fx.sender.sent[len(fx.sender.sent)-1]
	return sub, regexp.MustCompile(`http://\S+/confirm/[A-Za-z0-9_-]+`).FindString(last.Text)
}

// holdInABatch makes the shop's flow manual and claims the variant's
// queue into a batch held for the merchant's approval.
func (fx *optinFixture) holdInABatch(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	flow, err := stockbell.FlowFromTemplate(fx.shop.ID, stockbell.TemplateEmailOnly)
	if err != nil {
		t.Fatal(err)
	}
	flow.Status = stockbell.FlowManual
	if err := fx.db.UpdateFlow(ctx, flow); err != nil {
		t.Fatal(err)
	}
	batch, err := fx.db.StartBatch(ctx, stockbell.BatchStart{ShopID: fx.shop.ID, VariantID: fx.variant.ID, Everyone: true, Stock: 1, Cutoff: fx.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: fx.shop.ID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
		t.Fatal(err)
	}
}

func (fx *optinFixture) stop(t *testing.T, phone string) {
	t.Helper()
	if code := fx.postReply(t, twilioToken, url.Values{"MessageSid": {"SM200"}, "From": {phone}, "Body": {"STOP"}}); code != http.StatusOK {
		t.Fatalf("signed STOP: %d", code)
	}
}

// TestConfirmationLinkThatCanNoLongerConfirm: a link whose confirmation can
// no longer be given says why, to GET and POST alike, with no button and
// confirming nothing: the shopper unsubscribed (STOP), the number alone
// left an alert that goes on by email, the alert is no longer waiting (a
// batch holds it), or the shop uninstalled the app. None says the shop
// removed the alert, nor that the link is not valid.
func TestConfirmationLinkThatCanNoLongerConfirm(t *testing.T) {
	cases := []struct {
		name   string
		closed func(t *testing.T, fx *optinFixture) (*stockbell.Subscription, string)
		want   string
		status stockbell.SubscriptionStatus
	}{
		{"unsubscribed", func(t *testing.T, fx *optinFixture) (*stockbell.Subscription, string) {
			sub, link := fx.subscribeAndAsk(t, "+12015550123")
			fx.stop(t, "+12015550123")
			return sub, link
		}, "You unsubscribed from this alert: you will not be notified when Bell (Small) is back in stock.", stockbell.SubscriptionUnsubscribed},
		{"number left", func(t *testing.T, fx *optinFixture) (*stockbell.Subscription, string) {
			sub, link := fx.askByText(t, "ann@example.com", "+12015550123")
			fx.stop(t, "+12015550123")
			return sub, link
		}, "You asked not to be contacted at +12015550123 about this alert: there is nothing to confirm.", stockbell.SubscriptionQueued},
		{"no longer waiting", func(t *testing.T, fx *optinFixture) (*stockbell.Subscription, string) {
			sub, link := fx.askByText(t, "ann@example.com", "+12015550123")
			fx.holdInABatch(t)
			return sub, link
		}, "This alert is no longer waiting for Bell (Small) to be back in stock: there is nothing left to confirm.", stockbell.SubscriptionHeld},
		{"shop uninstalled", func(t *testing.T, fx *optinFixture) (*stockbell.Subscription, string) {
			sub, link := fx.subscribeAndAsk(t, "+12015550123")
			if err := fx.db.UninstallShop(context.Background(), fx.shop.ID); err != nil {
				t.Fatal(err)
			}
			return sub, link
		}, "bells.myshopify.com no longer sends back-in-stock alerts: there is nothing to confirm.", stockbell.SubscriptionPending},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				fx := newOptin(t, db)
				sub, link := c.closed(t, fx)
				for _, method := range []string{http.MethodGet, http.MethodPost} {
					code, body := fetch(t, method, link)
					body = html.UnescapeString(body)
					if code != http.StatusOK || !strings.Contains(body, c.want) || strings.Contains(body, "<form") ||
						strings.Contains(body, "removed this alert") || strings.Contains(body, "Confirmed.") {
						t.Errorf("%s the link: %d\n%s\nwant it to say %q", method, code, body, c.want)
					}
				}
				wantUnconfirmed(t, db, sub.ID)
				if got := fx.status(t, sub.ID); got != c.status {
					t.Fatalf("after its link the subscription is %s, want %s", got, c.status)
				}
			})
		})
	}
}

// wantUnconfirmed fails unless the subscription's confirmation is not
// confirmed.
func wantUnconfirmed(t *testing.T, db *store.DB, subID int64) {
	t.Helper()
	var confirmed int
	if err := db.DB.Get(&confirmed, db.DB.Rebind(`SELECT COUNT(*) FROM confirmations WHERE subscription_id = ? AND confirmed_at IS NOT NULL`), subID); err != nil || confirmed != 0 {
		t.Fatalf("%d confirmations of subscription %d confirmed (%v), want none", confirmed, subID, err)
	}
}

// stoppedAfterRead is the real store, with a STOP from the number landing
// right after the confirmation page's read and before its write, once.
type stoppedAfterRead struct {
	*store.DB
	phone   string
	stopped bool
}

func (s *stoppedAfterRead) FindConfirmationRequest(ctx context.Context, shopID, id int64) (*stockbell.ConfirmationRequest, error) {
	req, err := s.DB.FindConfirmationRequest(ctx, shopID, id)
	if err == nil && !s.stopped {
		s.stopped = true
		_, err = s.StopSMS(ctx, s.phone)
	}
	return req, err
}

// TestConfirmRacingAStop: the number replies STOP between the confirm
// button's read and its write. The page says the shopper unsubscribed,
// not that the shop removed the alert nor that the link is not valid.
func TestConfirmRacingAStop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		sub, link := fx.subscribeAndAsk(t, "+12015550123")
		fx.confirm.Store = &stoppedAfterRead{DB: db, phone: "+12015550123"}
		code, body := fetch(t, http.MethodPost, link)
		if code != http.StatusOK || !strings.Contains(body, "You unsubscribed from this alert") ||
			strings.Contains(body, "removed this alert") || strings.Contains(body, "not valid") || strings.Contains(body, "<form") {
			t.Fatalf("confirming as the number replies STOP: %d\n%s", code, body)
		}
		wantUnconfirmed(t, db, sub.ID)
	})
}
