package store_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// insertMessage writes a message row directly.
func insertMessage(t *testing.T, db *store.DB, shopID, subID int64, recipient string) {
	t.Helper()
	now := db.Clock.Now()
	_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient, status,
		due_at, created_at) VALUES (?, ?, 0, 'email', ?, 'sent', ?, ?)`), shopID, subID, recipient, now, now)
	must(t, err)
}

// insertConfirmation writes a confirmed double opt-in request directly.
func insertConfirmation(t *testing.T, db *store.DB, shopID, subID int64, channel, recipient string) {
	t.Helper()
	now := db.Clock.Now()
	_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO confirmations (shop_id, subscription_id, channel, recipient,
		consent_text, requested_at, sent_at, confirmed_at, method) VALUES (?, ?, ?, ?, 'Reply Y to get a text', ?, ?, ?, 'reply')`),
		shopID, subID, channel, recipient, now, now, now)
	must(t, err)
}

func insertEvent(t *testing.T, db *store.DB, shopID int64, subID *int64, detail string) {
	t.Helper()
	_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, kind, subscription_id, detail, created_at)
		VALUES (?, ?, ?, ?, ?)`), shopID, stockbell.EventNotified, subID, detail, db.Clock.Now())
	must(t, err)
}

// privacyFixture stores Ann (email and phone) and Bob in one shop, Ann in a
// second shop, with messages, events and a webhook that names Ann.
func privacyFixture(t *testing.T, db *store.DB) (shop, other *stockbell.Shop, ann []int64) {
	t.Helper()
	useClock(db)
	shop = install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
	other = install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
	for _, s := range []*stockbell.Shop{shop, other} {
		product(t, db, s.ID, "p1", map[string]int{"v1": 0, "v2": 0})
	}
	v1, v2 := variant(t, db, shop.ID, "v1"), variant(t, db, shop.ID, "v2")
	a1 := insertSubscription(t, db, shop.ID, v1.ID, "ann@example.com", "", stockbell.SubscriptionNotified)
	a2 := insertSubscription(t, db, shop.ID, v2.ID, "", "+33612345678", stockbell.SubscriptionQueued)
	bob := insertSubscription(t, db, shop.ID, v1.ID, "bob@example.com", "", stockbell.SubscriptionQueued)
	elsewhere := insertSubscription(t, db, other.ID, variant(t, db, other.ID, "v1").ID, "ann@example.com", "", stockbell.SubscriptionQueued)
	insertMessage(t, db, shop.ID, a1, "ann@example.com")
	insertMessage(t, db, shop.ID, bob, "bob@example.com")
	insertMessage(t, db, other.ID, elsewhere, "ann@example.com")
	insertConfirmation(t, db, shop.ID, a2, "sms", "+33612345678")
	insertConfirmation(t, db, shop.ID, bob, "email", "bob@example.com")
	insertEvent(t, db, shop.ID, &a1, `{"step":0}`)
	insertEvent(t, db, shop.ID, &a2, `{}`)
	insertEvent(t, db, shop.ID, nil, `{"recipient":"ann@example.com"}`)
	insertEvent(t, db, shop.ID, &bob, `{"recipient":"bob@example.com"}`)
	insertEvent(t, db, other.ID, &elsewhere, `{"recipient":"ann@example.com"}`)
	for _, d := range []struct {
		shopID  *int64
		id, doc string
	}{
		{&shop.ID, "w1", `{"customer":{"email":"Ann@Example.com","phone":"+33612345678"}}`},
		{&shop.ID, "w2", `{"customer":{"email":"bob@example.com"}}`},
		{nil, "w3", `{"email":"ann@example.com"}`},
		{&other.ID, "w4", `{"email":"ann@example.com"}`},
	} {
		dom := shop.Domain
		if d.shopID != nil && *d.shopID == other.ID {
			dom = other.Domain
		}
		_, err := db.RecordReceipt(ctx, &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, ShopID: d.shopID,
			Domain: dom, EventID: d.id, Topic: "customers/redact", Payload: []byte(d.doc)})
		must(t, err)
	}
	return shop, other, []int64{a1, a2}
}

func TestContactData(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, _, ann := privacyFixture(t, db)
		data, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Email: " ANN@example.com ", Phone: "+33612345678"})
		must(t, err)
		if len(data.Subscriptions) != 2 || data.Subscriptions[0].ID != ann[0] || data.Subscriptions[1].ID != ann[1] ||
			data.Subscriptions[0].ConsentIP != "203.0.113.9" {
			t.Fatalf("subscriptions = %+v", data.Subscriptions)
		}
		if len(data.Messages) != 1 || data.Messages[0].Recipient != "ann@example.com" {
			t.Fatalf("messages = %+v", data.Messages)
		}
		if len(data.Confirmations) != 1 || data.Confirmations[0].SubscriptionID != ann[1] ||
			data.Confirmations[0].ConsentText != "Reply Y to get a text" || data.Confirmations[0].ConfirmedAt == nil {
			t.Fatalf("confirmations = %+v", data.Confirmations)
		}
		if len(data.Events) != 3 {
			t.Fatalf("events = %d, want 3 (two by subscription, one naming her)", len(data.Events))
		}
		phoneOnly, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Phone: "+33612345678"})
		must(t, err)
		if len(phoneOnly.Subscriptions) != 1 || phoneOnly.Subscriptions[0].ID != ann[1] || len(phoneOnly.Messages) != 0 {
			t.Fatalf("by phone: %d subscriptions, %d messages", len(phoneOnly.Subscriptions), len(phoneOnly.Messages))
		}
		_, err = db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID})
		wantCode(t, err, stockbell.EINVALID, "contact")
	})
}

func TestRedactContactLeavesNoTrace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, other, _ := privacyFixture(t, db)
		must(t, db.RedactContact(ctx, stockbell.Contact{ShopID: shop.ID, Email: "ann@example.com", Phone: "+33612345678"}))

		data, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Email: "ann@example.com", Phone: "+33612345678"})
		must(t, err)
		if len(data.Subscriptions)+len(data.Messages)+len(data.Events)+len(data.Confirmations) != 0 {
			t.Fatalf("after redaction: %+v", data)
		}
		// No row of the shop mentions her anywhere.
		for table, text := range map[string]string{
			"subscriptions": "email || ' ' || phone", "messages": "recipient", "events": "detail", "confirmations": "recipient",
		} {
			if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE shop_id = ? AND (`+text+` LIKE '%ann@%' OR `+text+` LIKE '%33612345678%')`, shop.ID); n != 0 {
				t.Errorf("%d rows of %s still name her", n, table)
			}
		}
		for _, id := range []int64{1, 3} {
			d, err := db.FindReceipt(ctx, id)
			must(t, err)
			if p := strings.ToLower(string(d.Payload)); strings.Contains(p, "ann@") || strings.Contains(p, "33612345678") {
				t.Errorf("webhook %s still holds her: %s", d.EventID, d.Payload)
			}
		}
		// Bob, and Ann in the other shop, are untouched.
		bob, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Email: "bob@example.com"})
		must(t, err)
		if len(bob.Subscriptions) != 1 || len(bob.Messages) != 1 || len(bob.Events) != 1 || len(bob.Confirmations) != 1 {
			t.Fatalf("bob lost data: %d/%d/%d", len(bob.Subscriptions), len(bob.Messages), len(bob.Events))
		}
		elsewhere, err := db.ContactData(ctx, stockbell.Contact{ShopID: other.ID, Email: "ann@example.com"})
		must(t, err)
		if len(elsewhere.Subscriptions) != 1 || len(elsewhere.Messages) != 1 || len(elsewhere.Events) != 1 {
			t.Fatal("redaction reached into another shop")
		}
		for _, id := range []int64{2, 4} {
			if d, _ := db.FindReceipt(ctx, id); len(d.Payload) == 0 {
				t.Errorf("webhook %s of someone else was blanked", d.EventID)
			}
		}
		wantCode(t, db.RedactContact(ctx, stockbell.Contact{ShopID: shop.ID, Email: "  "}), stockbell.EINVALID, "contact")
	})
}

// TestRedactContactWithInternationalDomain: an erasure request that names a
// shopper by an email address with a non-ASCII domain, as a platform sends
// it, erases the subscription the storefront stored (domain in its ASCII
// form), and blanks the webhook payload that named it in Unicode.
func TestRedactContactWithInternationalDomain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "idn.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		stored, err := contact.NormalizeEmail("Anna@Bücher.example")
		must(t, err)
		sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: variant(t, db, shop.ID, "v1").ID,
			Email: stored, Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		must(t, err)
		if sub.Email != "anna@xn--bcher-kva.example" {
			t.Fatalf("stored email %q", sub.Email)
		}
		receipt := &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, ShopID: &shop.ID, Domain: shop.Domain,
			EventID: "redact-1", Topic: "customers/redact", Payload: []byte(`{"customer":{"email":"anna@bücher.example"}}`)}
		_, err = db.RecordReceipt(ctx, receipt)
		must(t, err)

		named := stockbell.Contact{ShopID: shop.ID, Email: "Anna@BÜCHER.example"}
		data, err := db.ContactData(ctx, named)
		must(t, err)
		if len(data.Subscriptions) != 1 || data.Subscriptions[0].ID != sub.ID {
			t.Fatalf("the data request found %d subscriptions, want hers", len(data.Subscriptions))
		}
		must(t, db.RedactContact(ctx, named))
		if n := count(t, db, `SELECT COUNT(*) FROM subscriptions WHERE shop_id = ?`, shop.ID); n != 0 {
			t.Fatalf("%d subscriptions remain after the erasure", n)
		}
		got, err := db.FindReceipt(ctx, receipt.ID)
		must(t, err)
		if len(got.Payload) != 0 {
			t.Fatalf("the webhook still names her: %s", got.Payload)
		}
	})
}

// TestRedactContactErasesTheOutbox: the development outbox's copies of the
// messages sent to the contact go with them; others' stay.
func TestRedactContactErasesTheOutbox(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, _, _ := privacyFixture(t, db)
		for _, m := range []struct {
			channel   stockbell.Channel
			recipient string
		}{{stockbell.ChannelEmail, "ann@example.com"}, {stockbell.ChannelSMS, "+33612345678"}, {stockbell.ChannelEmail, "bob@example.com"}} {
			must(t, db.RecordOutboxMessage(ctx, &stockbell.OutboxMessage{ShopID: shop.ID, Channel: m.channel, Recipient: m.recipient,
				Subject: "Back in stock", Text: "Hello " + m.recipient, ProviderID: "dev-" + m.recipient}))
		}
		must(t, db.RedactContact(ctx, stockbell.Contact{ShopID: shop.ID, Email: "ann@example.com", Phone: "+33612345678"}))
		kept, total, err := db.FindOutboxMessages(ctx, stockbell.OutboxFilter{ShopID: &shop.ID, Limit: 10})
		must(t, err)
		if total != 1 || kept[0].Recipient != "bob@example.com" {
			t.Fatalf("%d outbox messages after the erasure, want bob's only: %+v", total, kept)
		}
	})
}
