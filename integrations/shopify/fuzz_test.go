package shopify_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// fixtureSeeds adds every webhook fixture under its own topic to the corpus.
func fixtureSeeds(f *testing.F, add func(topic string, body []byte)) {
	topics := map[string]string{"app_uninstalled.json": shopify.TopicAppUninstalled, "shop_redact.json": shopify.TopicShopRedact,
		"customers_redact.json": shopify.TopicCustomersRedact, "customers_data_request.json": shopify.TopicCustomersDataRequest,
		"products_update.json": shopify.TopicProductsUpdate, "products_delete.json": shopify.TopicProductsDelete,
		"inventory_items_update.json": shopify.TopicInventoryItemsUpdate, "inventory_levels_update.json": shopify.TopicInventoryLevelsUpdate,
		"inventory_levels_connect.json": shopify.TopicInventoryLevelsConnect, "inventory_levels_disconnect.json": shopify.TopicInventoryLevelsDisconnect,
		"orders_create.json": shopify.TopicOrdersCreate}
	for file, topic := range topics {
		body, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		add(topic, body)
	}
}

// FuzzVerifySignature: the HMAC check never panics, accepts a body's own
// signature and refuses it for any other body.
func FuzzVerifySignature(f *testing.F) {
	f.Add("hush", []byte(`"my secret message"`), "hMTq0K2x7oyOjoBwGYeTj5oxfnaVYXzbanUG9aajpKI=", []byte("x"))
	f.Add("", []byte{}, "", []byte{})
	f.Fuzz(func(t *testing.T, secret string, body []byte, signature string, other []byte) {
		shopify.VerifySignature([]string{secret}, body, signature)
		good := shopifytest.SignWebhook(secret, body)
		if !shopify.VerifySignature([]string{"other secret", secret}, body, good) {
			t.Fatal("a body's own signature was refused")
		}
		if string(other) != string(body) && shopify.VerifySignature([]string{secret}, other, good) {
			t.Fatal("a signature verified another body")
		}
	})
}

// FuzzVerifyWebhook: whatever the headers and body of a correctly signed
// webhook, the verifier answers a receipt or EINVALID (400), never panics
// or fails internally, and a receipt names its shop only as the headers do.
func FuzzVerifyWebhook(f *testing.F) {
	fixtureSeeds(f, func(topic string, body []byte) { f.Add(topic, "super-toys.myshopify.com", "evt-1", body) })
	f.Add("shop/redact", "other.myshopify.com", "", []byte(`{"shop_id":1,"shop_domain":"super-toys.myshopify.com"}`))
	v := &shopify.WebhookVerifier{Config: stockbell.ShopifyConfig{APIKey: "key", APISecret: "secret"}}
	f.Fuzz(func(t *testing.T, topic, shop, event string, body []byte) {
		h := http.Header{}
		h.Set("X-Shopify-Hmac-Sha256", shopifytest.SignWebhook("secret", body))
		h.Set("X-Shopify-Topic", topic)
		h.Set("X-Shopify-Shop-Domain", shop)
		h.Set("X-Shopify-Event-Id", event)
		rc, err := v.VerifyWebhook(context.Background(), h, body)
		if err != nil {
			if code := stockbell.ErrorCode(err); code != stockbell.EINVALID {
				t.Fatalf("signed webhook refused with %s: %v", code, err)
			}
			return
		}
		if rc.Domain != h.Get("X-Shopify-Shop-Domain") || rc.Topic != h.Get("X-Shopify-Topic") || string(rc.Payload) != string(body) {
			t.Fatalf("receipt %+v does not reflect the webhook", rc)
		}
		if rc.PayloadDomain != "" && !stockbell.ValidShopifyDomain(rc.PayloadDomain) {
			t.Fatalf("payload domain %q is not a shop domain", rc.PayloadDomain)
		}
	})
}
