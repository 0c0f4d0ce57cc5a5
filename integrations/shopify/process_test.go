package shopify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestRestockAcrossTwoLocations: the T-shirt is synced sold out; stock
// returns at the warehouse and at the point-of-sale location in two
// deliveries; the variant's stock is their sum and, since a shopper waits
// for it, each change queues the engine's job.
func TestRestockAcrossTwoLocations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		v, _ := e.variant(shop.ID, smallVariant)
		if !v.SoldOut() || v.InventoryItemID != itoa(smallItem) {
			t.Fatalf("after sync: %+v", v.Variant)
		}
		if _, _, err := e.db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID,
			Email: "waiting@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"}); err != nil {
			t.Fatal(err)
		}
		jobsBefore := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = 'variant_stock_changed'`)
		e.clock.Advance(time.Minute)
		at := e.clock.Now()
		e.fake.SetLevel(shopDomain, smallItem, warehouse, 3)
		e.fake.SetLevel(shopDomain, smallItem, pointOfSale, 2)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 3, at)})
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, pointOfSale, 2, at)})
		e.runWebhookJobs()
		v, levels := e.variant(shop.ID, smallVariant)
		if v.Stock != 5 || levels[itoa(warehouse)] != 3 || levels[itoa(pointOfSale)] != 2 || !v.Purchasable() {
			t.Fatalf("stock %d, levels %v", v.Stock, levels)
		}
		if n := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = 'variant_stock_changed'`) - jobsBefore; n != 2 {
			t.Fatalf("%d stock-changed jobs queued, want 2", n)
		}
		e.clock.Advance(time.Second)
		e.fake.DisconnectLevel(shopDomain, smallItem, pointOfSale)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsDisconnect,
			Body: []byte(`{"inventory_item_id":271878346596884015,"location_id":655441491}`)})
		e.runWebhookJobs()
		if v, levels = e.variant(shop.ID, smallVariant); v.Stock != 3 || len(levels) != 1 {
			t.Fatalf("after disconnecting the point of sale: stock %d, levels %v", v.Stock, levels)
		}
	})
}

// TestUnknownInventoryItemResolved: a level for an item not yet in the
// catalog is resolved through the Admin API (variant, product, every
// location) before it is applied.
func TestUnknownInventoryItemResolved(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.fake.SetLevel(shopDomain, smallItem, warehouse, 4)
		e.fake.SetLevel(shopDomain, smallItem, pointOfSale, 6)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 4, e.clock.Now().Add(-time.Second))})
		e.runWebhookJobs()
		v, levels := e.variant(shop.ID, smallVariant)
		if v.Stock != 10 || len(levels) != 2 || v.ProductTitle != "Example T-Shirt" || !v.Published || v.Title != "Small" || !v.Tracked {
			t.Fatalf("resolved variant %+v, levels %v", v, levels)
		}
	})
}

// TestOutOfOrderLevels: a newer level delivered first is not overwritten
// by an older one delivered later.
func TestOutOfOrderLevels(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID})
		e.clock.Advance(time.Minute)
		newer, older := e.clock.Now(), e.clock.Now().Add(-10*time.Second)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 7, newer)})
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 1, older)})
		e.runWebhookJobs()
		if v, _ := e.variant(shop.ID, smallVariant); v.Stock != 7 {
			t.Fatalf("stock %d, want the newer 7", v.Stock)
		}
	})
}

// TestProductWebhooks: products/update stores titles, tracking, policy,
// images and URLs; an older update is ignored; products/delete marks the
// product deleted.
func TestProductWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt() // the shop's product in Shopify, as the payload describes it
		body := readTestdata(t, "products_update.json")
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicProductsUpdate, Body: body})
		e.runWebhookJobs()
		small, _ := e.variant(shop.ID, smallVariant)
		medium, _ := e.variant(shop.ID, 757650484644203962)
		if small.Title != "Small" || !small.Tracked || small.InventoryPolicy != stockbell.InventoryDeny || small.Price != "19.99" ||
			small.URL != "https://super-toys.myshopify.com/products/example-t-shirt?variant=642667041472713922" || !small.Published {
			t.Fatalf("small = %+v", small)
		}
		if medium.Tracked || medium.InventoryPolicy != stockbell.InventoryContinue || medium.ImageURL != "https://cdn.shopify.com/s/files/1/0000/0001/products/shirt-medium.png" {
			t.Fatalf("medium = %+v", medium)
		}
		var older map[string]any
		json.Unmarshal(body, &older)
		older["title"], older["updated_at"] = "Stale Title", "2021-12-01T00:00:00Z"
		stale, _ := json.Marshal(older)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicProductsUpdate, Body: stale})
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicProductsDelete, Body: readTestdata(t, "products_delete.json")})
		e.runWebhookJobs()
		small, _ = e.variant(shop.ID, smallVariant)
		if small.ProductTitle != "Example T-Shirt" || !small.Deleted || small.Notifiable() {
			t.Fatalf("after stale update and delete: %+v", small)
		}
	})
}

// TestUninstallThenRedact: app/uninstalled stops the shop and keeps its
// data; customers/redact erases one contact; shop/redact erases the shop.
func TestUninstallThenRedact(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID})
		v, _ := e.variant(shop.ID, smallVariant)
		e.queueSubscriber(shop.ID, v.ID, "john@example.com")
		e.queueSubscriber(shop.ID, v.ID, "ann@example.com")
		e.clock.Advance(time.Minute)
		e.fake.UninstallApp(shopDomain)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicAppUninstalled, Body: readTestdata(t, "app_uninstalled.json")})
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 9, e.clock.Now())})
		e.runWebhookJobs()
		stored, _ := db.FindShopByID(ctx, shop.ID)
		if stored.Active() {
			t.Fatal("the shop is still installed")
		}
		if v, _ := e.variant(shop.ID, smallVariant); v.Stock != 0 {
			t.Fatalf("a level was applied for an uninstalled shop: stock %d", v.Stock)
		}
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicCustomersRedact, Body: readTestdata(t, "customers_redact.json")})
		e.runWebhookJobs()
		if n := e.count(`SELECT COUNT(*) FROM subscriptions WHERE shop_id = ?`, shop.ID); n != 1 {
			t.Fatalf("%d subscriptions left after redacting john, want ann's only", n)
		}
		e.clock.Advance(48 * time.Hour)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicShopRedact, Body: readTestdata(t, "shop_redact.json")})
		e.runWebhookJobs()
		if _, err := db.FindShopByID(ctx, shop.ID); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("shop after shop/redact: %v", err)
		}
		if n := e.count(`SELECT COUNT(*) FROM variants`); n != 0 {
			t.Fatalf("%d variants left", n)
		}
	})
}

// TestLateUninstallIgnored: an app/uninstalled triggered before the shop's
// latest install belongs to the earlier install. The shop has no Shopify
// time of its install (as one installed before it was kept): Stockbell's
// install time stands in.
func TestLateUninstallIgnored(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		before := e.clock.Now()
		e.clock.Advance(time.Minute)
		shop := e.install()
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicAppUninstalled, Body: readTestdata(t, "app_uninstalled.json"), TriggeredAt: before})
		e.runWebhookJobs()
		if stored, _ := db.FindShopByID(context.Background(), shop.ID); !stored.Active() {
			t.Fatal("a stale uninstall uninstalled the reinstalled shop")
		}
	})
}

// requestJohnsData sends Shopify's sample customers/data_request (for
// john@example.com, request 9999) and processes it.
func (e *env) requestJohnsData() {
	e.mustSend(shopifytest.Webhook{Topic: shopify.TopicCustomersDataRequest, Body: readTestdata(e.t, "customers_data_request.json")})
	e.runWebhookJobs()
}

// johnsAnswer is where the answer to that request is written.
func (e *env) johnsAnswer() string { return filepath.Join(e.dataDir, shopDomain, "9999.json") }

// TestShopRedactErasesDataRequestAnswers: shop/redact erases the answers to
// the shop's customer data requests kept on disk with the rest of its data,
// also when the shop itself was erased before.
func TestShopRedactErasesDataRequestAnswers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		v, _ := e.variant(shop.ID, smallVariant)
		e.queueSubscriber(shop.ID, v.ID, "john@example.com")
		e.requestJohnsData()
		answers := filepath.Join(e.dataDir, shopDomain)
		if _, err := os.Stat(e.johnsAnswer()); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		e.fake.UninstallApp(shopDomain)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicAppUninstalled, Body: readTestdata(t, "app_uninstalled.json")})
		e.runWebhookJobs()
		e.clock.Advance(48 * time.Hour)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicShopRedact, Body: readTestdata(t, "shop_redact.json")})
		e.runWebhookJobs()
		if _, err := db.FindShopByID(context.Background(), shop.ID); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("shop after shop/redact: %v", err)
		}
		if _, err := os.Stat(answers); !os.IsNotExist(err) {
			t.Fatalf("the shop's data request answers outlived shop/redact: %v", err)
		}
		// A shop/redact arriving once the shop is erased still erases answers left behind.
		must(t, os.MkdirAll(answers, 0o700))
		must(t, os.WriteFile(e.johnsAnswer(), []byte(`{}`), 0o600))
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicShopRedact, Body: []byte(`{"shop_id":954889, "shop_domain":"super-toys.myshopify.com"}`)})
		e.runWebhookJobs()
		if _, err := os.Stat(answers); !os.IsNotExist(err) {
			t.Fatalf("answers of an erased shop outlived shop/redact: %v", err)
		}
	})
}

// TestShopRedactErasesQueuedJobs: shop/redact erases the shop's jobs from
// the job queue with the rest of its data: the outbound webhook delivery
// that names its subscriber, the restock its stock change queued. Nothing
// the queue keeps names the shop or its subscriber afterwards.
func TestShopRedactErasesQueuedJobs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		_, err := db.CreateWebhookEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: shop.ID, URL: "https://hooks.example.com/in",
			EventTypes: stockbell.WebhookEventTypes}, []byte("sealed"))
		must(t, err)
		v, _ := e.variant(shop.ID, smallVariant)
		_, _, err = db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Email: "ann@example.com",
			Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		must(t, err)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 9, e.clock.Now())})
		e.runWebhookJobs()
		if queued := e.jobsNaming(shop.ID, "ann@example.com"); queued["webhook_delivery"] == 0 || queued["variant_stock_changed"] == 0 {
			t.Fatalf("before shop/redact, the queue holds %v of the shop's jobs: want a delivery and a stock change", queued)
		}
		e.clock.Advance(time.Minute)
		e.fake.UninstallApp(shopDomain)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicAppUninstalled, Body: readTestdata(t, "app_uninstalled.json")})
		e.runWebhookJobs()
		e.clock.Advance(48 * time.Hour)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicShopRedact, Body: readTestdata(t, "shop_redact.json")})
		e.runWebhookJobs()
		if _, err := db.FindShopByID(ctx, shop.ID); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("shop after shop/redact: %v", err)
		}
		if left := e.jobsNaming(shop.ID, "ann@example.com"); len(left) != 0 {
			t.Fatalf("after shop/redact the queue still holds the shop's jobs: %v", left)
		}
	})
}

// jobsNaming counts by kind the queued jobs, in any state, whose arguments
// carry the shop's id or name the contact.
func (e *env) jobsNaming(shopID int64, contact string) map[string]int {
	argsText := "json(args)"
	if e.db.Dialect == store.Postgres {
		argsText = "args::text"
	}
	var rows []struct{ Kind, Args string }
	must(e.t, e.db.DB.Select(&rows, `SELECT kind, `+argsText+` AS args FROM river_job`))
	out := map[string]int{}
	for _, r := range rows {
		var fields struct {
			ShopID int64 `json:"shop_id"`
		}
		must(e.t, json.Unmarshal([]byte(r.Args), &fields))
		if fields.ShopID == shopID || strings.Contains(r.Args, contact) {
			out[r.Kind]++
		}
	}
	return out
}

// TestCustomerDataRequestReportsWhatIsKept: the answer reports every kept
// field of a subscription, the client address its consent came from and
// the channels awaiting confirmation included.
func TestCustomerDataRequestReportsWhatIsKept(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		v, _ := e.variant(shop.ID, smallVariant)
		now := db.Clock.Now()
		_, err := db.DB.Exec(db.DB.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, phone, channels, status, awaiting,
			consent_ip, created_at, updated_at) VALUES (?, ?, 'john@example.com', '+16135550123', 'email,sms', 'pending', 'sms', '203.0.113.9', ?, ?)`),
			shop.ID, v.ID, now, now)
		must(t, err)
		e.requestJohnsData()
		raw, err := os.ReadFile(e.johnsAnswer())
		must(t, err)
		var report struct {
			Data struct {
				Subscriptions []map[string]any `json:"subscriptions"`
			} `json:"data"`
		}
		must(t, json.Unmarshal(raw, &report))
		if len(report.Data.Subscriptions) != 1 {
			t.Fatalf("report = %s", raw)
		}
		sub := report.Data.Subscriptions[0]
		if sub["consent_ip"] != "203.0.113.9" || fmt.Sprint(sub["awaiting"]) != "[sms]" {
			t.Fatalf("the subscription as reported: consent_ip %v, awaiting %v (%s)", sub["consent_ip"], sub["awaiting"], raw)
		}
	})
}

// TestCustomerRedactErasesTheCustomersDataRequestAnswers: customers/redact
// erases the answers to the customer's earlier data requests kept on disk,
// which hold the data the request erases, and leaves other customers'.
func TestCustomerRedactErasesTheCustomersDataRequestAnswers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		v, _ := e.variant(shop.ID, smallVariant)
		e.queueSubscriber(shop.ID, v.ID, "john@example.com")
		e.queueSubscriber(shop.ID, v.ID, "ann@example.com")
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicCustomersDataRequest, Body: readTestdata(t, "customers_data_request.json")})
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicCustomersDataRequest, Body: []byte(`{"shop_id":954889,
			"shop_domain":"super-toys.myshopify.com","orders_requested":[],"customer":{"id":5,"email":"ann@example.com"},
			"data_request":{"id":8888}}`)})
		e.runWebhookJobs()
		johns, anns := e.johnsAnswer(), filepath.Join(e.dataDir, shopDomain, "8888.json")
		for _, path := range []string{johns, anns} {
			if _, err := os.Stat(path); err != nil {
				t.Fatal(err)
			}
		}
		// An answer cut short while it was written still holds john's address.
		cut := filepath.Join(e.dataDir, shopDomain, "7777.json")
		must(t, os.WriteFile(cut, []byte(`{"shop": "super-toys.myshopify.com", "data": {"contact": {"email": "john@example.com"`), 0o600))
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicCustomersRedact, Body: readTestdata(t, "customers_redact.json")})
		e.runWebhookJobs()
		for _, path := range []string{johns, cut} {
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("john's data request answer %s outlived his erasure: %v", path, err)
			}
		}
		if _, err := os.Stat(anns); err != nil {
			t.Fatalf("ann's data request answer: %v", err)
		}
	})
}

// TestCustomerRedactRetriedErasesTheAnswers: a customers/redact whose
// erasure of the data request answers failed erases them, and the
// customer's rows, when it is retried.
func TestCustomerRedactRetriedErasesTheAnswers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		v, _ := e.variant(shop.ID, smallVariant)
		e.queueSubscriber(shop.ID, v.ID, "john@example.com")
		e.requestJohnsData()
		// An answer that cannot be read (a link to itself), listed first, fails the first attempt.
		unreadable := filepath.Join(e.dataDir, shopDomain, "0.json")
		must(t, os.Symlink(unreadable, unreadable))
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicCustomersRedact, Body: readTestdata(t, "customers_redact.json")})
		var receipt int64
		must(t, db.DB.Get(&receipt, `SELECT id FROM webhook_receipts WHERE processed_at IS NULL`))
		if err := e.registry.ProcessReceipt(context.Background(), stockbell.ProcessReceiptJob{ReceiptID: receipt}); err == nil {
			t.Fatal("the erasure succeeded with an unreadable answer")
		}
		must(t, os.Remove(unreadable))
		e.runWebhookJobs()
		if _, err := os.Stat(e.johnsAnswer()); !os.IsNotExist(err) {
			t.Fatalf("john's data request answer outlived the retried erasure: %v", err)
		}
		if n := e.count(`SELECT COUNT(*) FROM subscriptions WHERE shop_id = ?`, shop.ID); n != 0 {
			t.Fatalf("%d subscriptions left after the retried erasure", n)
		}
	})
}

// TestCustomerDataRequest writes the contact's data for the merchant.
func TestCustomerDataRequest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID})
		v, _ := e.variant(shop.ID, smallVariant)
		e.queueSubscriber(shop.ID, v.ID, "john@example.com")
		e.requestJohnsData()
		raw, err := os.ReadFile(e.johnsAnswer())
		if err != nil {
			t.Fatal(err)
		}
		var report struct {
			Data stockbell.ContactData `json:"data"`
		}
		json.Unmarshal(raw, &report)
		if len(report.Data.Subscriptions) != 1 || report.Data.Subscriptions[0].Email != "john@example.com" {
			t.Fatalf("report = %s", raw)
		}
	})
}
