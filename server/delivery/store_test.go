package delivery_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// shopFixture is a shop with two sold-out lamps in a real database.
type shopFixture struct {
	db       *store.DB
	shop     *stockbell.Shop
	variants map[string]*stockbell.VariantWithProduct
}

func newShopFixture(t testing.TB, db *store.DB) *shopFixture {
	t.Helper()
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "nord.myshopify.com",
		PrimaryDomain: "nord.example", Name: "Atelier Nord"})
	if err != nil {
		t.Fatal(err)
	}
	f := &shopFixture{db: db, shop: shop, variants: map[string]*stockbell.VariantWithProduct{}}
	for _, name := range []string{"A", "B"} {
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p" + name, Title: "Lamp " + name,
			URL: "https://nord.example/products/lamp-" + name, Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: "v" + name, Title: "Brass", Price: "89.00", Tracked: true,
				URL:             "https://nord.example/products/lamp-" + name + "?variant=9" + name,
				InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "main", Available: 0}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if f.variants[name], err = db.FindVariant(ctx, shop.ID, "v"+name); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// subscribe queues a subscription to a lamp.
func (f *shopFixture) subscribe(t testing.TB, lamp, email, phone string) *stockbell.Subscription {
	t.Helper()
	create := stockbell.SubscriptionCreate{ShopID: f.shop.ID, VariantID: f.variants[lamp].ID, Email: email, Phone: phone,
		Locale: "en", Source: "snippet"}
	if email != "" {
		create.Channels = append(create.Channels, stockbell.ChannelEmail)
	}
	if phone != "" {
		create.Channels = append(create.Channels, stockbell.ChannelSMS)
		create.SMSConsent = true
	}
	sub, _, err := f.db.CreateSubscription(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// message inserts the message row the restock engine would have created
// for the subscription's first step.
func (f *shopFixture) message(t testing.TB, sub *stockbell.Subscription, channel stockbell.Channel, recipient string) *stockbell.Message {
	t.Helper()
	now := f.db.Clock.Now().UTC()
	m := &stockbell.Message{ShopID: f.shop.ID, SubscriptionID: sub.ID, Channel: channel, Recipient: recipient,
		Step: 1, Status: stockbell.MessagePending, DueAt: now, CreatedAt: now}
	err := f.db.DB.GetContext(ctx, &m.ID, f.db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel,
		recipient, status, due_at, created_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?) RETURNING id`),
		m.ShopID, m.SubscriptionID, m.Channel, m.Recipient, m.Status, m.DueAt, m.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// content is what the restock engine hands the renderer for a message.
func (f *shopFixture) content(t testing.TB, sub *stockbell.Subscription, msg *stockbell.Message) stockbell.MessageContent {
	t.Helper()
	v, err := f.db.FindVariantByID(ctx, sub.ShopID, sub.VariantID)
	if err != nil {
		t.Fatal(err)
	}
	return stockbell.MessageContent{Shop: f.shop, Variant: v, Subscription: sub, Message: msg, Step: stockbell.FlowStep{Channel: msg.Channel}}
}

func (f *shopFixture) status(t testing.TB, id int64) stockbell.SubscriptionStatus {
	t.Helper()
	sub, err := f.db.FindSubscriptionByID(ctx, f.shop.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return sub.Status
}

// lateServer is an httptest server whose handler is set after it starts,
// so links can be built with its URL.
func lateServer(t testing.TB) (*httptest.Server, *atomic.Pointer[http.Handler]) {
	var h atomic.Pointer[http.Handler]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*h.Load()).ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	return srv, &h
}

// noRedirects is an HTTP client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
