package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

const twilioToken = "twilio-auth-token"

// capturingSender keeps what delivery hands to the SMS and email provider.
type capturingSender struct {
	mu   sync.Mutex
	sent []stockbell.OutboundMessage
}

func (s *capturingSender) Send(_ context.Context, out stockbell.OutboundMessage) (stockbell.SendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, out)
	return stockbell.SendResult{ProviderID: "SM1"}, nil
}

// optinFixture is a real store, the real confirmation service and the web
// routes of double opt-in on a loopback server whose public URL is its own.
type optinFixture struct {
	db      *store.DB
	clock   *storetest.Clock
	shop    *stockbell.Shop
	variant *stockbell.VariantWithProduct
	confirm *delivery.Confirmations
	sender  *capturingSender
	url     string
}

func newOptin(t *testing.T, db *store.DB) *optinFixture {
	t.Helper()
	fx := &optinFixture{db: db, clock: storetest.NewClock(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)), sender: &capturingSender{}}
	db.Clock = fx.clock
	fx.shop = storetest.MustShop(t, db, stockbell.PlatformShopify, "bells.myshopify.com")
	fx.variant = soldOutBell(t, db, fx.shop)
	server := web.NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), db)
	ts := httptest.NewUnstartedServer(nil)
	t.Cleanup(ts.Close)
	fx.url = "http://" + ts.Listener.Addr().String()
	signer, err := delivery.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	fx.confirm = &delivery.Confirmations{Store: db, Sender: fx.sender, Links: delivery.NewLinks(fx.url, signer), Clock: fx.clock}
	server.RegisterConfirmations(fx.confirm, &delivery.TwilioInbound{AuthToken: twilioToken, PublicURL: fx.url})
	ts.Config.Handler = server.Handler()
	ts.Start()
	return fx
}

// subscribeAndAsk subscribes a phone number by SMS, runs the job that sends
// its confirmation and returns the subscription and the link in the text.
func (fx *optinFixture) subscribeAndAsk(t *testing.T, phone string) (*stockbell.Subscription, string) {
	t.Helper()
	return fx.subscribeToAndAsk(t, stockbell.SubscriptionCreate{ShopID: fx.shop.ID, VariantID: fx.variant.ID, Phone: phone})
}

// subscribeToAndAsk is subscribeAndAsk for the subscription create
// describes (its shop, variant, phone and locale).
func (fx *optinFixture) subscribeToAndAsk(t *testing.T, create stockbell.SubscriptionCreate) (*stockbell.Subscription, string) {
	t.Helper()
	ctx := context.Background()
	phone := create.Phone
	create.Channels, create.SMSConsent = stockbell.Channels{stockbell.ChannelSMS}, true
	sub, _, err := fx.db.CreateSubscription(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Status != stockbell.SubscriptionPending {
		t.Fatalf("subscription of %s is %s, want pending", phone, sub.Status)
	}
	var id int64
	if err := fx.db.DB.GetContext(ctx, &id, fx.db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ?`), sub.ID); err != nil {
		t.Fatal(err)
	}
	if err := fx.confirm.HandleSendConfirmation(ctx, stockbell.SendConfirmationJob{ShopID: create.ShopID, ConfirmationID: id}); err != nil {
		t.Fatal(err)
	}
	last := fx.sender.sent[len(fx.sender.sent)-1]
	link := regexp.MustCompile(`http://\S+/confirm/[A-Za-z0-9_-]+`).FindString(last.Text)
	if last.To != phone || last.Channel != stockbell.ChannelSMS || link == "" || create.Locale == "" && !strings.Contains(last.Text, "Reply YES") {
		t.Fatalf("confirmation text = %+v", last)
	}
	return sub, link
}

func (fx *optinFixture) status(t *testing.T, subID int64) stockbell.SubscriptionStatus {
	t.Helper()
	sub, err := fx.db.FindSubscriptionByID(context.Background(), fx.shop.ID, subID)
	if err != nil {
		t.Fatal(err)
	}
	return sub.Status
}

func fetch(t *testing.T, method, link string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, link, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestConfirmationLinkGetDoesNotConfirm: the link's page confirms nothing
// when fetched (as a link scanner would); its button (POST) does, and the
// consent text shown is kept with the time and method.
func TestConfirmationLinkGetDoesNotConfirm(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		sub, link := fx.subscribeAndAsk(t, "+12015550123")
		for range 2 {
			code, body := fetch(t, http.MethodGet, link)
			if code != http.StatusOK || !strings.Contains(body, "confirm you want one text when Bell (Small) is back") || !strings.Contains(body, `<form method="post">`) {
				t.Fatalf("GET %s: %d\n%s", link, code, body)
			}
		}
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionPending {
			t.Fatalf("after GETs the subscription is %s, want pending", got)
		}
		code, body := fetch(t, http.MethodPost, link)
		if code != http.StatusOK || !strings.Contains(body, "Confirmed.") {
			t.Fatalf("POST %s: %d\n%s", link, code, body)
		}
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionQueued {
			t.Fatalf("after the POST the subscription is %s, want queued", got)
		}
		var c stockbell.Confirmation
		if err := db.DB.GetContext(context.Background(), &c, db.DB.Rebind(`SELECT id, shop_id, subscription_id, channel, recipient,
			consent_text, requested_at, sent_at, confirmed_at, method FROM confirmations WHERE subscription_id = ?`), sub.ID); err != nil {
			t.Fatal(err)
		}
		if c.Method != stockbell.ConfirmedByLink || c.ConfirmedAt == nil || !c.ConfirmedAt.Equal(fx.clock.Now()) ||
			!strings.HasPrefix(c.ConsentText, "bells.myshopify.com: confirm you want one text") || strings.Contains(c.ConsentText, "/confirm/") {
			t.Fatalf("kept confirmation = %+v", c)
		}
		if code, _ := fetch(t, http.MethodPost, link); code != http.StatusOK {
			t.Fatalf("confirming twice: %d", code)
		}
	})
}

// TestConfirmationLinkRefused: a tampered link and an expired one are
// refused (404) and confirm nothing.
func TestConfirmationLinkRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		sub, link := fx.subscribeAndAsk(t, "+12015550123")
		i := strings.LastIndex(link, "/") + 3
		flipped := "A"
		if link[i] == 'A' {
			flipped = "B"
		}
		tampered := link[:i] + flipped + link[i+1:]
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if code, body := fetch(t, method, tampered); code != http.StatusNotFound || !strings.Contains(body, "not valid or has expired") {
				t.Errorf("%s tampered link: %d\n%s", method, code, body)
			}
		}
		fx.clock.Add(stockbell.ConfirmationLinkValidity + time.Minute)
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if code, _ := fetch(t, method, link); code != http.StatusNotFound {
				t.Errorf("%s expired link: %d, want 404", method, code)
			}
		}
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionPending {
			t.Fatalf("after refused links the subscription is %s, want pending", got)
		}
	})
}

// postReply posts an inbound text as Twilio does, signed with token ("" for unsigned).
func (fx *optinFixture) postReply(t *testing.T, token string, form url.Values) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, fx.url+web.TwilioInboundPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		req.Header.Set(delivery.TwilioSignatureHeader, delivery.TwilioSignature(token, fx.url+web.TwilioInboundPath, form))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestSMSReplyConfirms: a YES reply Twilio signed confirms the number's
// pending subscription; an unsigned or wrongly signed one is refused 403
// and changes nothing.
func TestSMSReplyConfirms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		sub, _ := fx.subscribeAndAsk(t, "+12015550123")
		yes := url.Values{"MessageSid": {"SM123"}, "AccountSid": {"AC1"}, "From": {"+12015550123"}, "To": {"+18005550000"}, "Body": {"Yes"}}
		for name, token := range map[string]string{"unsigned": "", "signed with another token": "not-" + twilioToken} {
			if code := fx.postReply(t, token, yes); code != http.StatusForbidden {
				t.Errorf("%s reply: %d, want 403", name, code)
			}
		}
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionPending {
			t.Fatalf("after refused replies the subscription is %s, want pending", got)
		}
		other := url.Values{"MessageSid": {"SM124"}, "From": {"+12015550123"}, "Body": {"what is this?"}}
		if code := fx.postReply(t, twilioToken, other); code != http.StatusOK || fx.status(t, sub.ID) != stockbell.SubscriptionPending {
			t.Fatalf("a reply other than YES: %d, subscription %s", code, fx.status(t, sub.ID))
		}
		if code := fx.postReply(t, twilioToken, yes); code != http.StatusOK {
			t.Fatalf("signed YES: %d", code)
		}
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionQueued {
			t.Fatalf("after YES the subscription is %s, want queued", got)
		}
		var method string
		if err := db.DB.GetContext(context.Background(), &method, db.DB.Rebind(`SELECT method FROM confirmations WHERE subscription_id = ?`), sub.ID); err != nil || method != "reply" {
			t.Fatalf("confirmation method = %q (%v), want reply", method, err)
		}
	})
}

// TestSMSStopReply: a STOP reply Twilio signed takes the number out of its
// pending subscription; the same reply unsigned changes nothing.
func TestSMSStopReply(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		sub, _ := fx.subscribeAndAsk(t, "+12015550123")
		stop := url.Values{"MessageSid": {"SM125"}, "From": {"+12015550123"}, "Body": {"STOP"}}
		if code := fx.postReply(t, "", stop); code != http.StatusForbidden || fx.status(t, sub.ID) != stockbell.SubscriptionPending {
			t.Fatalf("unsigned STOP: %d, subscription %s", code, fx.status(t, sub.ID))
		}
		if code := fx.postReply(t, twilioToken, stop); code != http.StatusOK {
			t.Fatalf("signed STOP: %d", code)
		}
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionUnsubscribed {
			t.Fatalf("after STOP the subscription is %s, want unsubscribed", got)
		}
	})
}

// TestSMSStopReplyTakesAHeldShopperOut: a STOP reply Twilio signed from a
// shopper a manual flow holds in a batch skips their held text at once:
// the batch has nobody left to approve, and nothing is to be sent to the
// number.
func TestSMSStopReplyTakesAHeldShopperOut(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newOptin(t, db)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		flow, err := stockbell.FlowFromTemplate(fx.shop.ID, stockbell.TemplateEmailOnly)
		must(err)
		flow.Status = stockbell.FlowManual
		must(db.UpdateFlow(ctx, flow))
		const phone = "+447400123456" // a UK number needs no confirmation
		sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: fx.shop.ID, VariantID: fx.variant.ID,
			Phone: phone, Channels: stockbell.Channels{stockbell.ChannelSMS}, SMSConsent: true})
		must(err)
		batch, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: fx.shop.ID, VariantID: fx.variant.ID, Everyone: true, Stock: 1, Cutoff: fx.clock.Now()})
		must(err)
		_, err = db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: fx.shop.ID, BatchID: batch.ID, Chunk: 1, Limit: 100})
		must(err)
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionHeld {
			t.Fatalf("before STOP the subscription is %s, want held", got)
		}

		stop := url.Values{"MessageSid": {"SM126"}, "From": {phone}, "Body": {"Stop"}}
		if code := fx.postReply(t, twilioToken, stop); code != http.StatusOK {
			t.Fatalf("signed STOP: %d", code)
		}
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionUnsubscribed {
			t.Errorf("after STOP the held subscription is %s, want unsubscribed", got)
		}
		if _, err := db.ApproveHeldBatch(ctx, fx.shop.ID, batch.ID, decider); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Errorf("approving the batch after STOP: %v, want ENOTFOUND (nobody left to approve)", err)
		}
		var unsent int
		must(db.DB.GetContext(ctx, &unsent, db.DB.Rebind(`SELECT COUNT(*) FROM messages WHERE recipient = ? AND status IN ('held', 'pending')`), phone))
		if unsent != 0 {
			t.Errorf("%d messages still to be sent to the number after STOP", unsent)
		}
	})
}

// TestConfirmationLinkOfARemovedSignUp: the merchant removes two sign-ups
// still waiting for confirmation, one whose request was sent and one
// whose request was not yet. The unsent request is not sent; the sent
// link's page says the alert was removed, offers no button, and a POST
// (or a YES reply) does not confirm it.
func TestConfirmationLinkOfARemovedSignUp(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		ctx := context.Background()
		sub, link := fx.subscribeAndAsk(t, "+12015550123")
		unsent, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: fx.shop.ID, VariantID: fx.variant.ID,
			Phone: "+12015550124", Channels: stockbell.Channels{stockbell.ChannelSMS}, SMSConsent: true})
		if err != nil {
			t.Fatal(err)
		}
		by := stockbell.AdminUser{Email: "owner@example.com"}
		for _, s := range []*stockbell.Subscription{sub, unsent} {
			if was, err := db.RemoveSubscription(ctx, fx.shop.ID, s.ID, by); err != nil || was != stockbell.SubscriptionPending {
				t.Fatalf("removing sign-up %d: it was %q (%v), want pending", s.ID, was, err)
			}
		}
		var id int64
		if err := db.DB.GetContext(ctx, &id, db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ?`), unsent.ID); err != nil {
			t.Fatal(err)
		}
		sent := len(fx.sender.sent)
		if err := fx.confirm.HandleSendConfirmation(ctx, stockbell.SendConfirmationJob{ShopID: fx.shop.ID, ConfirmationID: id}); err != nil {
			t.Fatal(err)
		}
		if len(fx.sender.sent) != sent {
			t.Fatalf("the removed sign-up's confirmation request was sent: %+v", fx.sender.sent[sent:])
		}
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			code, body := fetch(t, method, link)
			if code != http.StatusOK || !strings.Contains(body, "bells.myshopify.com removed this alert: you will not be notified when Bell (Small) is back in stock.") ||
				strings.Contains(body, "<form") || strings.Contains(body, "Confirmed.") {
				t.Errorf("%s the removed sign-up's link: %d\n%s", method, code, body)
			}
		}
		yes := url.Values{"MessageSid": {"SM126"}, "From": {"+12015550123"}, "Body": {"YES"}}
		if code := fx.postReply(t, twilioToken, yes); code != http.StatusOK {
			t.Fatalf("signed YES: %d", code)
		}
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionCancelled {
			t.Fatalf("after its link and a YES the removed sign-up is %s, want cancelled", got)
		}
	})
}

// removedAfterRead is the real store, with the merchant's removal of a
// sign-up landing right after the confirmation page's read of it and
// before its write, once.
type removedAfterRead struct {
	*store.DB
	shopID, subscriptionID int64
	removed                bool
}

func (s *removedAfterRead) FindConfirmationRequest(ctx context.Context, shopID, id int64) (*stockbell.ConfirmationRequest, error) {
	req, err := s.DB.FindConfirmationRequest(ctx, shopID, id)
	if err == nil && !s.removed {
		s.removed = true
		_, err = s.RemoveSubscription(ctx, s.shopID, s.subscriptionID, stockbell.AdminUser{Email: "owner@example.com"})
	}
	return req, err
}

// TestConfirmRacingARemoval: the merchant removes a sign-up between the
// confirm button's read of it and its write. The shopper sees that the
// shop removed the alert, as for a sign-up removed before, not that the
// link is not valid; the sign-up stays cancelled and unconfirmed.
func TestConfirmRacingARemoval(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		sub, link := fx.subscribeAndAsk(t, "+12015550123")
		fx.confirm.Store = &removedAfterRead{DB: db, shopID: fx.shop.ID, subscriptionID: sub.ID}
		code, body := fetch(t, http.MethodPost, link)
		if code != http.StatusOK || !strings.Contains(body, "bells.myshopify.com removed this alert: you will not be notified when Bell (Small) is back in stock.") ||
			strings.Contains(body, "not valid") || strings.Contains(body, "<form") {
			t.Fatalf("confirming as the merchant removes the sign-up: %d\n%s", code, body)
		}
		if got := fx.status(t, sub.ID); got != stockbell.SubscriptionCancelled {
			t.Fatalf("the sign-up removed while it was confirmed is %s, want cancelled", got)
		}
		var confirmed *time.Time
		if err := db.DB.GetContext(context.Background(), &confirmed, db.DB.Rebind(`SELECT confirmed_at FROM confirmations WHERE subscription_id = ?`), sub.ID); err != nil || confirmed != nil {
			t.Fatalf("its confirmation: confirmed at %v (%v), want unconfirmed", confirmed, err)
		}
	})
}
