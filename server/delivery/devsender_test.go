package delivery_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDevSenderLogsNoSignedLinks: the development sender writes a message
// to the log without its unsubscribe token or short link code (whoever
// reads the log could otherwise unsubscribe the shopper).
func TestDevSenderLogsNoSignedLinks(t *testing.T) {
	signer := newSigner(t)
	tmpl := delivery.NewTemplates(delivery.NewLinks("http://localhost:8080", signer), delivery.StopAlways)
	for _, channel := range []stockbell.Channel{stockbell.ChannelEmail, stockbell.ChannelSMS} {
		c := content(channel, "+15551234567", "en")
		if channel == stockbell.ChannelEmail {
			c = content(channel, "shopper@example.com", "en")
		}
		out, err := tmpl.Render(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		out.To, out.Channel, out.MessageID = c.Message.Recipient, channel, c.Message.ID
		var logs bytes.Buffer
		sender := &delivery.DevSender{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		if _, err := sender.Send(ctx, out); err != nil {
			t.Fatal(err)
		}
		token := signer.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: c.Subscription.ID, ShopID: c.Shop.ID, Channel: channel})
		code := signer.LinkCode(c.Message.ID)
		if !strings.Contains(out.Text+out.HTML, code) || (channel == stockbell.ChannelEmail && !strings.Contains(out.Text, token)) {
			t.Fatalf("%s: the rendered message has no signed link; the test checks nothing", channel)
		}
		if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), code) {
			t.Fatalf("%s: the development sender logged a signed link:\n%s", channel, logs.String())
		}
		if !strings.Contains(logs.String(), "[redacted]") {
			t.Fatalf("%s: no redaction in %s", channel, logs.String())
		}
	}
}

// TestSignerKeyRotation: links signed with the previous key still verify,
// new links are signed with the current key, and once the previous key is
// dropped its links are refused.
func TestSignerKeyRotation(t *testing.T) {
	oldKey, newKey := []byte("old-links-key-0123456789abcdef-0123"), []byte("new-links-key-0123456789abcdef-0123")
	before, _ := delivery.NewSigner(oldKey)
	token := before.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: 5, ShopID: 2})
	code := before.LinkCode(9)
	during, err := delivery.NewSigner(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := during.ParseUnsubscribeToken(token); err != nil || got.SubscriptionID != 5 {
		t.Fatalf("old unsubscribe token during the rotation: %+v, %v", got, err)
	}
	if id, err := during.ParseLinkCode(code); err != nil || id != 9 {
		t.Fatalf("old link code during the rotation: %d, %v", id, err)
	}
	after, _ := delivery.NewSigner(newKey)
	if _, err := after.ParseUnsubscribeToken(during.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: 5, ShopID: 2})); err != nil {
		t.Fatalf("a token signed during the rotation is not signed with the new key: %v", err)
	}
	if _, err := after.ParseUnsubscribeToken(token); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
		t.Fatalf("old token without the previous key: %v", err)
	}
}

// TestDevSenderSendsForAShopErasedMeanwhile: the development sender sends
// a message whose shop was erased while it was being sent, as a real
// sender would, keeping nothing in the outbox, where the outbox's
// ENOTFOUND (the shop gone) failed the send and the job retried it.
func TestDevSenderSendsForAShopErasedMeanwhile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newShopFixture(t, db)
		if err := db.UninstallShop(ctx, f.shop.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteShop(ctx, f.shop.ID); err != nil {
			t.Fatal(err)
		}
		sender := &delivery.DevSender{Logger: slog.New(slog.DiscardHandler), Outbox: db}
		msg := stockbell.OutboundMessage{ShopID: f.shop.ID, MessageID: 7, Channel: stockbell.ChannelEmail, To: "shopper@example.com",
			Subject: "It is back", Text: "Lamp A is back."}
		if _, err := sender.Send(ctx, msg); err != nil {
			t.Errorf("the send for an erased shop: %v, want it sent", err)
		}
		var kept int
		if err := db.DB.GetContext(ctx, &kept, `SELECT COUNT(*) FROM dev_outbox`); err != nil || kept != 0 {
			t.Errorf("%d outbox messages kept for an erased shop (%v)", kept, err)
		}
	})
}
