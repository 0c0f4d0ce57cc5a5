package shopify_test

import (
	"context"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestParseOrdersCreate(t *testing.T) {
	hook, err := shopify.ParseWebhook(shopify.TopicOrdersCreate, readTestdata(t, "orders_create.json"))
	if err != nil {
		t.Fatal(err)
	}
	o := hook.Order.Order(7)
	if o.ShopID != 7 || o.PlatformID != "820982911946154508" || o.Email != "jon@example.com" || o.Phone != "" ||
		o.Currency != "USD" || o.Total.String() != "403.00" || !o.CreatedAt.Equal(time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("order = %+v", o)
	}
	if len(o.Lines) != 3 || o.Lines[0].VariantPlatformID != "808950810" || o.Lines[0].Quantity != 1 ||
		o.Lines[0].Price.String() != "199.00" || o.Lines[2].VariantPlatformID != "" {
		t.Fatalf("lines = %+v", o.Lines)
	}
	for body, field := range map[string]string{
		`{"created_at":"2021-12-31T19:00:00-05:00"}`: "id",
		`{"id":1}`: "created_at",
		`{"id":1,"created_at":"2021-12-31T19:00:00-05:00","line_items":[{"price":"1,5"}]}`:      "line_items",
		`{"id":1.5,"created_at":"2021-12-31T19:00:00-05:00"}`:                                   "body",
		`{"id":1,"created_at":"2021-12-31T19:00:00-05:00","line_items":[{"variant_id":"abc"}]}`: "body",
	} {
		if _, err := shopify.ParseWebhook(shopify.TopicOrdersCreate, []byte(body)); stockbell.ErrorField(err) != field {
			t.Errorf("%s: %v, want EINVALID on %s", body, err, field)
		}
	}
}

// notifiedSubscriber queues a subscriber of the variant and records the
// message that told them it is back, sent at `at`.
func (e *env) notifiedSubscriber(shopID, variantID int64, email, phone string, at time.Time) int64 {
	var subID int64
	err := e.db.DB.Get(&subID, e.db.DB.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, phone, channels, status,
		created_at, notified_at, updated_at) VALUES (?, ?, ?, ?, 'email', 'notified', ?, ?, ?) RETURNING id`),
		shopID, variantID, email, phone, at, at, at)
	if err == nil {
		_, err = e.db.DB.Exec(e.db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient, status,
			due_at, created_at, sent_at) VALUES (?, ?, 1, 'email', ?, 'sent', ?, ?, ?)`), shopID, subID, email, at, at, at)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return subID
}

// TestOrdersCreateCountsConversionsOnce: a notified subscriber's order,
// delivered by the fake as Shopify sends it, counts once — also when
// Shopify retries the event and when it delivers it again under a new
// event id; a stranger's order counts nothing.
func TestOrdersCreateCountsConversionsOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		must(t, e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}))
		small, _ := e.variant(shop.ID, smallVariant)
		notified := e.clock.Now()
		sub := e.notifiedSubscriber(shop.ID, small.ID, "ada@example.com", "", notified)
		e.clock.Advance(26 * time.Hour)
		order := e.fake.OrderCreated(shopDomain, shopifytest.Order{ID: 450789469, Email: "Ada@Example.com", Currency: "EUR",
			CreatedAt: e.clock.Now(), Lines: []shopifytest.OrderLine{{VariantID: smallVariant, Quantity: 2, Price: "19.99"}, {Quantity: 1, Price: "4.00"}}})
		order.EventID = "event-1"
		e.mustSend(order)
		e.mustSend(order) // Shopify's retry of the same event
		again := order
		again.EventID, again.WebhookID = "event-2", "webhook-2"
		e.mustSend(again) // the same order under another event id
		stranger := e.fake.OrderCreated(shopDomain, shopifytest.Order{ID: 450789470, Email: "eve@example.com", Currency: "EUR",
			CreatedAt: e.clock.Now(), Lines: []shopifytest.OrderLine{{VariantID: smallVariant, Quantity: 1, Price: "19.99"}}})
		e.mustSend(stranger)
		e.runWebhookJobs()
		var got []struct {
			SubscriptionID int64  `db:"subscription_id"`
			OrderID        string `db:"order_id"`
			Quantity       int    `db:"quantity"`
			Revenue        int64  `db:"revenue"`
			Currency       string `db:"currency"`
		}
		must(t, db.DB.Select(&got, `SELECT subscription_id, order_id, quantity, revenue, currency FROM conversions`))
		if len(got) != 1 || got[0].SubscriptionID != sub || got[0].OrderID != "450789469" || got[0].Quantity != 2 ||
			stockbell.Amount(got[0].Revenue).String() != "39.98" || got[0].Currency != "EUR" {
			t.Fatalf("conversions = %+v, want ada's two shirts once", got)
		}
	})
}

// TestRegisterOrdersTopic: orders/create is registered for a shop that
// granted read_orders; without the scope, or without Shopify's approval
// for protected customer data, the other topics are still registered.
func TestRegisterOrdersTopic(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install() // granted read_products,read_inventory only
		must(t, e.in.RegisterWebhooks(context.Background(), stockbell.ShopifyRegisterWebhooksJob{ShopID: shop.ID}))
		if topics := e.topics(); topics["ORDERS_CREATE"] || len(topics) != 8 {
			t.Fatalf("without read_orders: %v", topics)
		}
		e.grantOrders(shop)
		e.fake.NoProtectedCustomerData = true
		must(t, e.in.RegisterWebhooks(context.Background(), stockbell.ShopifyRegisterWebhooksJob{ShopID: shop.ID}))
		if topics := e.topics(); topics["ORDERS_CREATE"] {
			t.Fatalf("registered without protected customer data approval: %v", topics)
		}
		e.fake.NoProtectedCustomerData = false
		must(t, e.in.RegisterWebhooks(context.Background(), stockbell.ShopifyRegisterWebhooksJob{ShopID: shop.ID}))
		if topics := e.topics(); !topics["ORDERS_CREATE"] || len(topics) != 9 {
			t.Fatalf("with read_orders and approval: %v", topics)
		}
	})
}

// grantOrders re-installs the shop with read_orders granted.
func (e *env) grantOrders(shop *stockbell.Shop) {
	e.grant(shop, "read_products,read_inventory,read_orders")
}

// grant re-installs the shop with the scopes granted, as the merchant's
// approval in the Shopify admin does.
func (e *env) grant(shop *stockbell.Shop, scopes string) {
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Scope = scopes })
	_, err := e.db.InstallShop(context.Background(), stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: shopDomain,
		Name: shop.Name, Seal: stockbell.SealToken(e.in.Sealer, "shpat_test_token"), Scopes: scopes})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) topics() map[string]bool {
	out := map[string]bool{}
	for _, s := range e.fake.Shop(shopDomain).Webhooks {
		out[s.Topic] = true
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
