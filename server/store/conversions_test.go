package store_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// sentMessage writes a sent message of the subscription, sent at `at`.
func sentMessage(t *testing.T, db *store.DB, shopID, subID int64, step int, status stockbell.MessageStatus, at time.Time) int64 {
	t.Helper()
	var id int64
	var sentAt *time.Time
	if status == stockbell.MessageSent {
		sentAt = &at
	}
	must(t, db.DB.GetContext(ctx, &id, db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient,
		status, due_at, created_at, sent_at) VALUES (?, ?, ?, 'email', 'x', ?, ?, ?, ?) RETURNING id`),
		shopID, subID, step, status, at, at, sentAt))
	return id
}

// conversionFixture is a shop with a shirt (s-1, 25.00) and a mug (m-1)
// and subscribers of the shirt.
type conversionFixture struct {
	shop                 *stockbell.Shop
	shirt, mug           *stockbell.VariantWithProduct
	ada, bob, eve, sms   int64 // subscriptions
	adaMessage           int64
	notifiedAt, clockNow time.Time
}

func newConversionFixture(t *testing.T, db *store.DB) *conversionFixture {
	clock := useClock(db)
	f := &conversionFixture{shop: install(t, db, stockbell.PlatformShopify, "conv.myshopify.com")}
	product(t, db, f.shop.ID, "p-1", map[string]int{"s-1": 0, "m-1": 0})
	f.shirt, f.mug = variant(t, db, f.shop.ID, "s-1"), variant(t, db, f.shop.ID, "m-1")
	f.notifiedAt = clock.Now()
	f.ada = insertSubscription(t, db, f.shop.ID, f.shirt.ID, "ada@example.com", "", stockbell.SubscriptionNotified)
	f.adaMessage = sentMessage(t, db, f.shop.ID, f.ada, 1, stockbell.MessageSent, f.notifiedAt)
	sentMessage(t, db, f.shop.ID, f.ada, 2, stockbell.MessageSent, f.notifiedAt.Add(24*time.Hour)) // a reminder
	f.bob = insertSubscription(t, db, f.shop.ID, f.shirt.ID, "bob@example.com", "", stockbell.SubscriptionNotified)
	sentMessage(t, db, f.shop.ID, f.bob, 1, stockbell.MessageHeld, f.notifiedAt) // manual flow: never sent
	f.eve = insertSubscription(t, db, f.shop.ID, f.shirt.ID, "eve@example.com", "", stockbell.SubscriptionQueued)
	f.sms = insertSubscription(t, db, f.shop.ID, f.shirt.ID, "", "+15555550100", stockbell.SubscriptionNotified)
	sentMessage(t, db, f.shop.ID, f.sms, 1, stockbell.MessageSent, f.notifiedAt)
	clock.Add(30 * 24 * time.Hour)
	f.clockNow = clock.Now()
	return f
}

func (f *conversionFixture) order(id, email string, at time.Time) stockbell.Order {
	price, _ := stockbell.ParseAmount("25.00")
	return stockbell.Order{ShopID: f.shop.ID, PlatformID: id, Email: email, Currency: "EUR", CreatedAt: at, Total: price.Times(3),
		Lines: []stockbell.OrderLine{{VariantPlatformID: "s-1", Quantity: 2, Price: price}, {VariantPlatformID: "m-1", Quantity: 1, Price: price}}}
}

// conversions returns the shop's conversions, oldest first.
func conversions(t *testing.T, db *store.DB, shopID int64) []stockbell.Conversion {
	t.Helper()
	var out []stockbell.Conversion
	must(t, db.DB.SelectContext(ctx, &out, db.DB.Rebind(`SELECT id, shop_id, subscription_id, variant_id, message_id, order_id,
		quantity, revenue, currency, via, notified_at, ordered_at, created_at FROM conversions WHERE shop_id = ? ORDER BY id`), shopID))
	return out
}

func TestRecordOrderCountsOnceWithinTheWindow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newConversionFixture(t, db)
		order := f.order("5001", " ADA@example.com", f.notifiedAt.Add(3*24*time.Hour))
		must(t, db.RecordOrder(ctx, order))
		must(t, db.RecordOrder(ctx, order)) // Shopify retries the webhook
		got := conversions(t, db, f.shop.ID)
		if len(got) != 1 {
			t.Fatalf("%d conversions after a retried order, want 1: %+v", len(got), got)
		}
		c := got[0]
		if c.SubscriptionID != f.ada || c.VariantID != f.shirt.ID || c.MessageID != f.adaMessage || c.Quantity != 2 ||
			c.Revenue.String() != "50.00" || c.Currency != "EUR" || c.Via != stockbell.AttributedToNotification ||
			!c.NotifiedAt.Equal(f.notifiedAt) || !c.OrderedAt.Equal(order.CreatedAt) || !c.CreatedAt.Equal(f.clockNow) {
			t.Fatalf("conversion = %+v", c)
		}
		kind := stockbell.EventConverted
		events, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &f.shop.ID, Kind: &kind})
		must(t, err)
		if total != 1 || *events[0].SubscriptionID != f.ada || *events[0].VariantID != f.shirt.ID {
			t.Fatalf("converted events = %d %+v, want one for ada's shirt", total, events)
		}
		var detail map[string]any
		must(t, json.Unmarshal([]byte(events[0].Detail), &detail))
		if detail["order_id"] != "5001" || detail["revenue"] != "50.00" || detail["currency"] != "EUR" || detail["via"] != "notification" {
			t.Fatalf("event detail = %v", detail)
		}
		// A second order from ada for the same shirt does not count again.
		must(t, db.RecordOrder(ctx, f.order("5002", "ada@example.com", f.notifiedAt.Add(4*24*time.Hour))))
		if n := len(conversions(t, db, f.shop.ID)); n != 1 {
			t.Fatalf("%d conversions after ada's second order, want 1", n)
		}
	})
}

// A platform writing the currency in lower case is counted in the same
// currency as one writing it in capitals: revenue is summed per code.
func TestRecordOrderStoresTheCurrencyCode(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newConversionFixture(t, db)
		order := f.order("5001", "ada@example.com", f.notifiedAt.Add(24*time.Hour))
		order.Currency = " eur"
		must(t, db.RecordOrder(ctx, order))
		if got := conversions(t, db, f.shop.ID); len(got) != 1 || got[0].Currency != "EUR" {
			t.Fatalf("conversions = %+v, want one in EUR", got)
		}
	})
}

func TestRecordOrderIgnoresContactsNeverNotified(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newConversionFixture(t, db)
		at := f.notifiedAt.Add(time.Hour)
		for i, email := range []string{"bob@example.com", "eve@example.com", "stranger@example.com", ""} {
			must(t, db.RecordOrder(ctx, f.order("600"+string(rune('0'+i)), email, at)))
		}
		if got := conversions(t, db, f.shop.ID); len(got) != 0 {
			t.Fatalf("orders from contacts never notified converted: %+v", got)
		}
		other := install(t, db, stockbell.PlatformShopify, "other.myshopify.com")
		product(t, db, other.ID, "p-1", map[string]int{"s-1": 0})
		o := f.order("6100", "ada@example.com", at)
		o.ShopID = other.ID
		must(t, db.RecordOrder(ctx, o))
		if n := count(t, db, `SELECT COUNT(*) FROM conversions`); n != 0 {
			t.Fatalf("an order in another shop converted ada's notification (%d)", n)
		}
	})
}

func TestRecordOrderWindowAndClicks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newConversionFixture(t, db)
		days := func(n float64) time.Time { return f.notifiedAt.Add(time.Duration(n * 24 * float64(time.Hour))) }
		must(t, db.RecordOrder(ctx, f.order("7001", "ada@example.com", days(7.5))))
		if n := len(conversions(t, db, f.shop.ID)); n != 0 {
			t.Fatalf("an order after the seven-day window converted (%d)", n)
		}
		// ada clicks on day 6 (her click is recorded by the short link service).
		clockAt(db, days(6))
		_, err := db.RecordClick(ctx, f.adaMessage)
		must(t, err)
		must(t, db.RecordOrder(ctx, f.order("7002", "ada@example.com", days(12))))
		got := conversions(t, db, f.shop.ID)
		if len(got) != 1 || got[0].Via != stockbell.AttributedToClick || got[0].OrderID != "7002" {
			t.Fatalf("click then order: %+v, want one conversion via click", got)
		}
		// The SMS subscriber, matched by phone; a shop's one-day window.
		must(t, second(db.UpdateSettings(ctx, f.shop.ID, stockbell.SettingsUpdate{AttributionWindow: ptr(24 * time.Hour)})))
		late := f.order("7003", "", days(1.5))
		late.Phone = "+15555550100"
		must(t, db.RecordOrder(ctx, late))
		if n := len(conversions(t, db, f.shop.ID)); n != 1 {
			t.Fatalf("an order outside the shop's one-day window converted (%d conversions)", n)
		}
		early := f.order("7004", "", days(0.5))
		early.Phone = "+15555550100"
		must(t, db.RecordOrder(ctx, early))
		if got := conversions(t, db, f.shop.ID); len(got) != 2 || got[1].SubscriptionID != f.sms {
			t.Fatalf("the SMS subscriber's order within a day: %+v", got)
		}
	})
}

func TestRecordOrderConcurrentDeliveries(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newConversionFixture(t, db)
		order := f.order("8001", "ada@example.com", f.notifiedAt.Add(time.Hour))
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.RecordOrder(ctx, order)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM conversions`); n != 1 {
			t.Fatalf("%d conversions from four concurrent deliveries of one order, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = 'converted'`); n != 1 {
			t.Fatalf("%d converted events, want 1", n)
		}
	})
}

func TestRecordOrderValidation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newConversionFixture(t, db)
		bad := f.order("", "ada@example.com", f.notifiedAt)
		wantCode(t, db.RecordOrder(ctx, bad), stockbell.EINVALID, "id")
		unknown := f.order("9001", "ada@example.com", f.notifiedAt)
		unknown.ShopID = 9999
		wantCode(t, db.RecordOrder(ctx, unknown), stockbell.ENOTFOUND, "")
	})
}

// clockAt sets the database's hand-moved clock to t.
func clockAt(db *store.DB, t time.Time) {
	c := db.Clock.(*storetest.Clock)
	c.Add(t.Sub(c.Now()))
}

func second[T any](_ T, err error) error { return err }

// TestRecordOrderAttributedToALandingClick: a click counted where an
// email's link landed extends attribution as a short link's click does.
func TestRecordOrderAttributedToALandingClick(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newConversionFixture(t, db)
		days := func(n float64) time.Time { return f.notifiedAt.Add(time.Duration(n * 24 * float64(time.Hour))) }
		clockAt(db, days(6))
		recorded, err := db.RecordLandingClick(ctx, f.shop.ID, f.adaMessage, 30*time.Minute)
		must(t, err)
		if !recorded {
			t.Fatal("ada's landing click was not recorded")
		}
		must(t, db.RecordOrder(ctx, f.order("7101", "ada@example.com", days(12))))
		got := conversions(t, db, f.shop.ID)
		if len(got) != 1 || got[0].Via != stockbell.AttributedToClick || got[0].OrderID != "7101" {
			t.Fatalf("landing click then order: %+v, want one conversion via click", got)
		}
	})
}

// TestConversionTotalsCountALegacyLowerCaseCurrencyAsOne: a conversion
// stored before orders' currencies were normalised (currency "eur") is
// summed with one stored since ("EUR"), in one row per variant under the
// code in capitals; another shop sees neither.
func TestConversionTotalsCountALegacyLowerCaseCurrencyAsOne(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newConversionFixture(t, db)
		must(t, db.RecordOrder(ctx, f.order("8001", "ada@example.com", f.notifiedAt.Add(24*time.Hour))))
		order := f.order("8002", "", f.notifiedAt.Add(24*time.Hour))
		order.Phone = "+15555550100"
		must(t, db.RecordOrder(ctx, order))
		_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE conversions SET currency = 'eur' WHERE shop_id = ? AND order_id = '8001'`), f.shop.ID)
		must(t, err)
		filter := stockbell.ActivityFilter{ShopID: f.shop.ID, Since: f.notifiedAt.Add(-time.Hour), Until: f.clockNow}
		totals, err := db.FindConversionTotals(ctx, filter)
		must(t, err)
		if len(totals) != 1 || totals[0].Currency != "EUR" || totals[0].Conversions != 2 || totals[0].Revenue.String() != "100.00" {
			t.Fatalf("conversion totals = %+v, want one row of the shirt: 2 conversions, 100.00 EUR", totals)
		}
		other := install(t, db, stockbell.PlatformShopify, "other.myshopify.com")
		filter.ShopID = other.ID
		if totals, err := db.FindConversionTotals(ctx, filter); err != nil || len(totals) != 0 {
			t.Fatalf("another shop's conversion totals = %+v, %v; want none", totals, err)
		}
	})
}
