package shopify_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSignedBodyUnderAnotherTopicOrShop: Shopify signs the body only, so a
// captured webhook could be replayed with other headers. Each replay below
// is refused with 400 and nothing is stored: a body under a topic it does
// not fit, and a body naming one shop under another shop's header.
func TestSignedBodyUnderAnotherTopicOrShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.install()
		storetest.MustShop(t, db, stockbell.PlatformShopify, "victim.myshopify.com")
		cases := []struct {
			name  string
			topic string
			file  string
			shop  string
		}{
			{"customers/redact body as shop/redact", shopify.TopicShopRedact, "customers_redact.json", ""},
			{"data request body as customers/redact", shopify.TopicCustomersRedact, "customers_data_request.json", ""},
			{"customers/redact body as a data request", shopify.TopicCustomersDataRequest, "customers_redact.json", ""},
			{"products/update body as products/delete", shopify.TopicProductsDelete, "products_update.json", ""},
			{"products/update body as app/uninstalled", shopify.TopicAppUninstalled, "products_update.json", ""},
			{"inventory item body as products/update", shopify.TopicProductsUpdate, "inventory_items_update.json", ""},
			{"product body as inventory_items/update", shopify.TopicInventoryItemsUpdate, "products_update.json", ""},
			{"products/delete body as app/uninstalled", shopify.TopicAppUninstalled, "products_delete.json", ""},
			{"shop/redact body as customers/redact", shopify.TopicCustomersRedact, "shop_redact.json", ""},
			{"order body as products/update", shopify.TopicProductsUpdate, "orders_create.json", ""},
			{"inventory_levels/update body as disconnect", shopify.TopicInventoryLevelsDisconnect, "inventory_levels_update.json", ""},
			{"inventory_levels/connect body as disconnect", shopify.TopicInventoryLevelsDisconnect, "inventory_levels_connect.json", ""},
			{"inventory_levels/disconnect body as connect", shopify.TopicInventoryLevelsConnect, "inventory_levels_disconnect.json", ""},
			{"an unknown topic", "carts/update", "products_update.json", ""},
			{"one shop's app/uninstalled for another", shopify.TopicAppUninstalled, "app_uninstalled.json", "victim.myshopify.com"},
			{"one shop's shop/redact for another", shopify.TopicShopRedact, "shop_redact.json", "victim.myshopify.com"},
			{"one shop's customers/redact for another", shopify.TopicCustomersRedact, "customers_redact.json", "victim.myshopify.com"},
			{"one shop's data request for another", shopify.TopicCustomersDataRequest, "customers_data_request.json", "victim.myshopify.com"},
		}
		for _, c := range cases {
			res := e.send(shopifytest.Webhook{Topic: c.topic, Shop: c.shop, Body: readTestdata(t, c.file)})
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", c.name, res.StatusCode)
			}
		}
		for _, body := range []string{`[]`, `"text"`, `{"shop_id":1,"shop_domain":""}`} {
			if res := e.send(shopifytest.Webhook{Topic: shopify.TopicShopRedact, Body: []byte(body)}); res.StatusCode != http.StatusBadRequest {
				t.Errorf("shop/redact %s: status %d, want 400", body, res.StatusCode)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM webhook_receipts`); n != 0 {
			t.Fatalf("%d receipts stored from refused webhooks", n)
		}
		for _, file := range []string{"app_uninstalled.json", "shop_redact.json", "customers_redact.json", "customers_data_request.json",
			"products_update.json", "products_delete.json", "inventory_items_update.json", "inventory_levels_update.json", "inventory_levels_connect.json",
			"inventory_levels_disconnect.json", "orders_create.json"} {
			topic := map[string]string{"app_uninstalled.json": shopify.TopicAppUninstalled, "shop_redact.json": shopify.TopicShopRedact,
				"customers_redact.json": shopify.TopicCustomersRedact, "customers_data_request.json": shopify.TopicCustomersDataRequest,
				"products_update.json": shopify.TopicProductsUpdate, "products_delete.json": shopify.TopicProductsDelete,
				"inventory_items_update.json": shopify.TopicInventoryItemsUpdate, "inventory_levels_update.json": shopify.TopicInventoryLevelsUpdate,
				"inventory_levels_connect.json": shopify.TopicInventoryLevelsConnect, "inventory_levels_disconnect.json": shopify.TopicInventoryLevelsDisconnect,
				"orders_create.json": shopify.TopicOrdersCreate}[file]
			if res := e.send(shopifytest.Webhook{Topic: topic, Body: readTestdata(t, file)}); res.StatusCode != http.StatusOK {
				t.Errorf("%s under its own topic and shop: status %d, want 200", file, res.StatusCode)
			}
		}
	})
}

// TestShopRedactNeverErasesAnInstalledShop: a shop/redact for a shop that
// is installed (its trigger time, an unsigned header, says nothing)
// erases nothing; once the shop is uninstalled it erases the shop.
func TestShopRedactNeverErasesAnInstalledShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		shop := e.install()
		e.clock.Advance(time.Hour)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicShopRedact, Body: readTestdata(t, "shop_redact.json"), TriggeredAt: e.clock.Now()})
		e.runWebhookJobs()
		if got, err := db.FindShopByID(ctx, shop.ID); err != nil || !got.Active() {
			t.Fatalf("an installed shop after shop/redact: %v", err)
		}
		e.fake.UninstallApp(shopDomain)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicAppUninstalled, Body: readTestdata(t, "app_uninstalled.json")})
		e.clock.Advance(48 * time.Hour)
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicShopRedact, Body: readTestdata(t, "shop_redact.json")})
		e.runWebhookJobs()
		if _, err := db.FindShopByID(ctx, shop.ID); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("an uninstalled shop after shop/redact: %v", err)
		}
	})
}
