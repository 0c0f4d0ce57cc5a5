package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// Two shoppers of one shop whose contacts hold one another's as a part:
// Ann's address ends Joann's, and Ann's number begins Joann's.
const (
	annEmail   = "ann@example.com"
	annPhone   = "+493012345678"
	joannEmail = "joann@example.com"
	joannPhone = "+4930123456789"
)

// lookalikeFixture stores Ann and Joann in one shop, with events naming
// each in their detail (no subscription) and webhook receipts naming each,
// and returns the shop and the ids of the events and receipts that name
// Ann alone.
func lookalikeFixture(t *testing.T, db *store.DB) (shop *stockbell.Shop, annEvents, annReceipts []int64) {
	t.Helper()
	useClock(db)
	shop = install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
	product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
	v1 := variant(t, db, shop.ID, "v1")
	insertSubscription(t, db, shop.ID, v1.ID, annEmail, annPhone, stockbell.SubscriptionQueued)
	joann := insertSubscription(t, db, shop.ID, v1.ID, joannEmail, joannPhone, stockbell.SubscriptionQueued)
	insertMessage(t, db, shop.ID, joann, joannEmail)
	for _, e := range []struct {
		detail string
		ann    bool
	}{
		{`{"recipient":"ann@example.com"}`, true},
		{`{"reason":"550 \u003cAnn@Example.com\u003e: no such user"}`, true},
		{`{"recipient":"+493012345678"}`, true},
		{`{"recipient":"joann@example.com"}`, false},
		{`{"reason":"550 \u003cjoann@example.com\u003e: no such user"}`, false},
		{`{"recipient":"+4930123456789"}`, false},
		{`{"recipient":"ann@example.com.au"}`, false},
		{`{"recipient":"ann@example.community"}`, false},
	} {
		insertEvent(t, db, shop.ID, nil, e.detail)
		if e.ann {
			annEvents = append(annEvents, lastID(t, db, "events"))
		}
	}
	for i, r := range []struct {
		doc string
		ann bool
	}{
		{`{"customer":{"email":"Ann@Example.com","phone":"+493012345678"}}`, true},
		{`{"customer":{"email":"joann@example.com","phone":"+4930123456789"}}`, false},
		{`{"email":"ann@example.com.au","phone":"+4930123456789"}`, false},
		{`{"note":"write to x.ann@example.com"}`, false},
	} {
		receipt := &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, ShopID: &shop.ID, Domain: shop.Domain,
			EventID: "w" + string(rune('1'+i)), Topic: "customers/redact", Payload: []byte(r.doc)}
		_, err := db.RecordReceipt(ctx, receipt)
		must(t, err)
		if r.ann {
			annReceipts = append(annReceipts, receipt.ID)
		}
	}
	return shop, annEvents, annReceipts
}

func lastID(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	var id int64
	must(t, db.DB.GetContext(ctx, &id, `SELECT MAX(id) FROM `+table))
	return id
}

// TestContactDataReportsNoLookalike: a data request for Ann reports the
// events that name her, and none that name Joann, whose address and number
// hold hers as a part.
func TestContactDataReportsNoLookalike(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, annEvents, _ := lookalikeFixture(t, db)
		data, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Email: annEmail, Phone: annPhone})
		must(t, err)
		var got []int64
		for _, e := range data.Events {
			got = append(got, e.ID)
		}
		if len(got) != len(annEvents) || got[0] != annEvents[0] || got[1] != annEvents[1] || got[2] != annEvents[2] {
			t.Fatalf("events reported = %v, want Ann's %v", got, annEvents)
		}
		if len(data.Subscriptions) != 1 || data.Subscriptions[0].Email != annEmail {
			t.Fatalf("subscriptions = %+v", data.Subscriptions)
		}
	})
}

// TestRedactContactSparesLookalikes: erasing Ann erases every event and
// webhook payload that names her, and none that names only Joann (whose
// address ends with hers and whose number begins with hers) or an address
// of which hers is a part.
func TestRedactContactSparesLookalikes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, annEvents, annReceipts := lookalikeFixture(t, db)
		events := count(t, db, `SELECT COUNT(*) FROM events WHERE shop_id = ?`, shop.ID)
		redactAsExported(t, db, stockbell.Contact{ShopID: shop.ID, Email: annEmail, Phone: annPhone}, len(annReceipts))

		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE shop_id = ?`, shop.ID); n != events-len(annEvents) {
			t.Errorf("%d events remain, want %d (all but Ann's %d)", n, events-len(annEvents), len(annEvents))
		}
		for _, id := range annEvents {
			if n := count(t, db, `SELECT COUNT(*) FROM events WHERE id = ?`, id); n != 0 {
				t.Errorf("event %d naming Ann remains", id)
			}
		}
		for id := int64(1); id <= 4; id++ {
			r, err := db.FindReceipt(ctx, id)
			must(t, err)
			ann := id == annReceipts[0]
			if ann && len(r.Payload) != 0 {
				t.Errorf("receipt %s still names Ann: %s", r.EventID, r.Payload)
			}
			if !ann && len(r.Payload) == 0 {
				t.Errorf("receipt %s, which does not name Ann, was emptied", r.EventID)
			}
		}
		joann, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Email: joannEmail, Phone: joannPhone})
		must(t, err)
		if len(joann.Subscriptions) != 1 || len(joann.Messages) != 1 || len(joann.Events) != 3 {
			t.Fatalf("Joann after Ann's erasure: %d subscriptions, %d messages, %d events; want 1, 1, 3",
				len(joann.Subscriptions), len(joann.Messages), len(joann.Events))
		}
	})
}
