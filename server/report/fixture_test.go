package report_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

var ctx = context.Background()

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newYork is the fixture shop's report time zone (UTC-5 in January).
var newYork = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// local is a time in the shop's zone in January 2025.
func local(day, hour, minute int) time.Time {
	return time.Date(2025, time.January, day, hour, minute, 0, 0, newYork)
}

// fixture is a shop in New York selling a shirt in two sizes (s-1 at
// 25.00, s-2) and a mug (m-1), with known activity from 10 to 12 January.
type fixture struct {
	db                  *store.DB
	clock               *storetest.Clock
	reports             *report.Reports
	shop                *stockbell.Shop
	shirt, large, mug   *stockbell.VariantWithProduct
	ada, bob, sam, cat  int64
	adaMessage, samText int64
}

func newShop(t testing.TB, db *store.DB, domain string) (*stockbell.Shop, *storetest.Clock) {
	t.Helper()
	clock := storetest.NewClock(local(1, 12, 0))
	db.Clock = clock
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: domain, Name: domain,
		Seal: func(int64) ([]byte, error) { return []byte("sealed"), nil }, Scopes: "read_products,read_orders"})
	must(t, err)
	zone := "America/New_York"
	_, err = db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{TimeZone: &zone})
	must(t, err)
	return shop, clock
}

// addProduct upserts a product with variants given as platform id → price.
func addProduct(t testing.TB, db *store.DB, shopID int64, platformID, title string, prices map[string]string, titles map[string]string) {
	t.Helper()
	up := stockbell.ProductUpsert{ShopID: shopID, PlatformID: platformID, Title: title, Published: true}
	for _, id := range slices.Sorted(maps.Keys(prices)) {
		price := prices[id]
		up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: id, Title: titles[id], SKU: "SKU-" + id, Price: price, Tracked: true,
			Levels: []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation, Available: 0, UpdatedAt: db.Clock.Now()}}})
	}
	_, err := db.UpsertProduct(ctx, up)
	must(t, err)
}

func findVariant(t testing.TB, db *store.DB, shopID int64, platformID string) *stockbell.VariantWithProduct {
	t.Helper()
	v, err := db.FindVariant(ctx, shopID, platformID)
	must(t, err)
	return v
}

// subscribe writes a subscription and, when subscribedEvent, its
// subscribed event, at `at`.
func subscribe(t testing.TB, db *store.DB, shopID, variantID int64, email, phone, channels string, status stockbell.SubscriptionStatus, at time.Time, subscribedEvent bool) int64 {
	t.Helper()
	var id int64
	must(t, db.DB.QueryRowxContext(ctx, db.DB.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, phone, channels,
		status, consent_ip, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		shopID, variantID, email, phone, channels, status, "203.0.113.9", at.UTC(), at.UTC()).Scan(&id))
	if subscribedEvent {
		event(t, db, shopID, stockbell.EventSubscribed, variantID, id, map[string]any{"channels": channels, "source": "storefront"}, at)
	}
	return id
}

// event writes an activity event as the store writes it.
func event(t testing.TB, db *store.DB, shopID int64, kind stockbell.EventKind, variantID, subscriptionID int64, detail map[string]any, at time.Time) {
	t.Helper()
	raw, err := json.Marshal(detail)
	must(t, err)
	var sub *int64
	if subscriptionID != 0 {
		sub = &subscriptionID
	}
	_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`), shopID, kind, variantID, sub, string(raw), at.UTC())
	must(t, err)
}

// notify writes a sent first message on the channel and its notified event.
func notify(t testing.TB, db *store.DB, shopID, variantID, subID int64, channel stockbell.Channel, at time.Time) int64 {
	t.Helper()
	var id int64
	must(t, db.DB.GetContext(ctx, &id, db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient,
		status, due_at, created_at, sent_at) VALUES (?, ?, 1, ?, 'x', ?, ?, ?, ?) RETURNING id`),
		shopID, subID, channel, stockbell.MessageSent, at.UTC(), at.UTC(), at.UTC()))
	event(t, db, shopID, stockbell.EventNotified, variantID, subID, map[string]any{"batch_id": 1, "message_id": id, "channel": channel}, at)
	return id
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db}
	f.shop, f.clock = newShop(t, db, "reports.myshopify.com")
	addProduct(t, db, f.shop.ID, "p-shirt", "Shirt", map[string]string{"s-1": "25.00", "s-2": "30.00"}, map[string]string{"s-1": "M", "s-2": "L"})
	addProduct(t, db, f.shop.ID, "p-mug", "Mug", map[string]string{"m-1": "12.50"}, nil)
	f.shirt, f.large, f.mug = findVariant(t, db, f.shop.ID, "s-1"), findVariant(t, db, f.shop.ID, "s-2"), findVariant(t, db, f.shop.ID, "m-1")
	f.reports = &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: f.clock}
	f.subscriptions(t)
	f.restock(t)
	f.afterwards(t)
	return f
}

// subscriptions: four on 10 January in New York (cat's at 23:30, already
// the 11th in UTC), one the evening before and one the night after.
func (f *fixture) subscriptions(t *testing.T) {
	db, shop := f.db, f.shop.ID
	subscribe(t, db, shop, f.mug.ID, "eve@example.com", "", "email", stockbell.SubscriptionQueued, local(9, 23, 0), true)
	f.ada = subscribe(t, db, shop, f.shirt.ID, "ada@example.com", "", "email", stockbell.SubscriptionNotified, local(10, 10, 0), true)
	f.bob = subscribe(t, db, shop, f.shirt.ID, "bob@example.com", "", "email", stockbell.SubscriptionQueued, local(10, 10, 5), true)
	f.sam = subscribe(t, db, shop, f.shirt.ID, "", "+15555550100", "sms", stockbell.SubscriptionNotified, local(10, 10, 10), true)
	f.cat = subscribe(t, db, shop, f.mug.ID, "cat@example.com", "", "email", stockbell.SubscriptionQueued, local(10, 23, 30), true)
	subscribe(t, db, shop, f.large.ID, "dan@example.com", "", "email", stockbell.SubscriptionQueued, local(13, 0, 30), true)
}

// restock: on the 11th the shirt comes back (a batch of two: ada and sam),
// a follow-up waits, the mug is below the minimum, then everyone waiting
// for the mug is sent a batch (its messages are still to go).
func (f *fixture) restock(t *testing.T) {
	db, shop := f.db, f.shop.ID
	event(t, db, shop, stockbell.EventRestocked, f.shirt.ID, 0, map[string]any{"stock": 2, "batch_id": 1}, local(11, 9, 0))
	event(t, db, shop, stockbell.EventBatchStarted, f.shirt.ID, 0, map[string]any{"batch_id": 1, "size": 2, "stock": 2, "per_unit": 1}, local(11, 9, 0))
	f.adaMessage = notify(t, db, shop, f.shirt.ID, f.ada, stockbell.ChannelEmail, local(11, 9, 1))
	f.samText = notify(t, db, shop, f.shirt.ID, f.sam, stockbell.ChannelSMS, local(11, 9, 1))
	event(t, db, shop, stockbell.EventSkipped, f.shirt.ID, 0, map[string]any{"reason": stockbell.SkipWaitingPeriod}, local(11, 9, 30))
	event(t, db, shop, stockbell.EventSkipped, f.mug.ID, 0, map[string]any{"reason": stockbell.SkipBelowMinimum, "stock": 1}, local(11, 10, 0))
	event(t, db, shop, stockbell.EventRestocked, f.mug.ID, 0, map[string]any{"stock": 5, "batch_id": 2}, local(11, 11, 0))
	event(t, db, shop, stockbell.EventBatchStarted, f.mug.ID, 0, map[string]any{"batch_id": 2, "size": "everyone", "stock": 5, "per_unit": 0}, local(11, 11, 0))
}

// afterwards: on the 12th ada clicks and buys two shirts (the webhook is
// delivered twice), bob (never notified) buys one too and unsubscribes; sam
// buys eight days after his text, outside the seven-day window.
func (f *fixture) afterwards(t *testing.T) {
	db := f.db
	f.clock.Add(local(12, 8, 0).Sub(f.clock.Now()))
	_, err := db.RecordClick(ctx, f.adaMessage)
	must(t, err)
	f.clock.Add(time.Hour)
	price, _ := stockbell.ParseAmount("25.00")
	order := func(id, email, phone string, at time.Time) stockbell.Order {
		return stockbell.Order{ShopID: f.shop.ID, PlatformID: id, Email: email, Phone: phone, Currency: "EUR", CreatedAt: at,
			Total: price.Times(2), Lines: []stockbell.OrderLine{{VariantPlatformID: "s-1", Quantity: 2, Price: price}}}
	}
	must(t, db.RecordOrder(ctx, order("1001", "ada@example.com", "", local(12, 9, 0))))
	must(t, db.RecordOrder(ctx, order("1001", "ada@example.com", "", local(12, 9, 0)))) // retried webhook
	must(t, db.RecordOrder(ctx, order("1002", "bob@example.com", "", local(12, 9, 5))))
	f.clock.Add(time.Hour)
	must(t, db.Unsubscribe(ctx, f.shop.ID, f.bob))
	f.clock.Add(local(19, 12, 0).Sub(f.clock.Now()))
	must(t, db.RecordOrder(ctx, order("1003", "", "+15555550100", local(19, 12, 0))))
	f.clock.Add(local(20, 12, 0).Sub(f.clock.Now()))
}

// days is 10 through 12 January.
func days() report.Days {
	return report.Days{From: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 12, 0, 0, 0, 0, time.UTC)}
}
