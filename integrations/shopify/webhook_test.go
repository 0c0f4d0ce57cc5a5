package shopify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// TestWebhookSignatureVector checks the published vector (secret "hush").
func TestWebhookSignatureVector(t *testing.T) {
	body := []byte(`"my secret message"`)
	const want = "hMTq0K2x7oyOjoBwGYeTj5oxfnaVYXzbanUG9aajpKI="
	if !shopify.VerifySignature([]string{"hush"}, body, want) {
		t.Error("the published vector does not verify")
	}
	if !shopify.VerifySignature([]string{"new-secret", "hush"}, body, want) {
		t.Error("the previous secret is not accepted during a rotation")
	}
	if shopify.VerifySignature([]string{"other"}, body, want) || shopify.VerifySignature([]string{"hush"}, []byte(`"my secret message!"`), want) {
		t.Error("a wrong secret or body verifies")
	}
	if shopifytest.SignWebhook("hush", body) != want {
		t.Error("the fake signs differently")
	}
}

// TestWebhookRefused: a bad signature is 401, an oversized body 413, a
// webhook without a shop or topic 400; none stores anything or queues a job.
func TestWebhookRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.install()
		body := readTestdata(t, "inventory_levels_update.json")
		cases := []struct {
			name   string
			status int
			d      shopifytest.Webhook
		}{
			{"bad signature", http.StatusUnauthorized, shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: body, Secret: "not-the-secret"}},
			{"body over the limit", http.StatusRequestEntityTooLarge, shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate,
				Body: []byte(`{"pad":"` + strings.Repeat("x", web.MaxWebhookBytes) + `"}`)}},
			{"invalid shop", http.StatusBadRequest, shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: body, Shop: "evil.example.com"}},
			{"no topic", http.StatusBadRequest, shopifytest.Webhook{Body: body}},
		}
		for _, c := range cases {
			if res := e.send(c.d); res.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d", c.name, res.StatusCode, c.status)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM webhook_receipts`); n != 0 {
			t.Fatalf("%d receipts stored", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM river_job`); n != 0 {
			t.Fatalf("%d jobs queued", n)
		}
	})
}

// TestWebhookPreviousSecret accepts a webhook signed with the previous
// secret while both are configured.
func TestWebhookPreviousSecret(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.install()
		e.hooks.Config.PreviousAPISecret = "previous"
		res := e.send(shopifytest.Webhook{Topic: shopify.TopicShopRedact, Body: readTestdata(t, "shop_redact.json"), Secret: "previous"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		e.hooks.Config.PreviousAPISecret = ""
		res = e.send(shopifytest.Webhook{Topic: shopify.TopicShopRedact, Body: readTestdata(t, "shop_redact.json"), Secret: "previous"})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("after the rotation ended: status %d", res.StatusCode)
		}
	})
}

// TestDuplicateEvent stores a retried event once, pending processing once.
func TestDuplicateEvent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		d := shopifytest.Webhook{Topic: shopify.TopicProductsUpdate, Body: readTestdata(t, "products_update.json"), EventID: "evt-1"}
		e.mustSend(d)
		d.WebhookID = "another-attempt"
		e.mustSend(d)
		if n := e.count(`SELECT COUNT(*) FROM webhook_receipts`); n != 1 {
			t.Fatalf("%d receipts stored, want 1", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`); n != 1 {
			t.Fatalf("%d receipts pending processing, want 1", n)
		}
		var shopID *int64
		db.DB.Get(&shopID, `SELECT shop_id FROM webhook_receipts`)
		if shopID == nil || *shopID != shop.ID {
			t.Fatalf("receipt shop = %v, want %d", shopID, shop.ID)
		}
		e.runWebhookJobs()
		if n := e.count(`SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NOT NULL`); n != 1 {
			t.Fatal("the receipt was not marked processed")
		}
		if _, _, err := db.FindVariants(context.Background(), stockbell.VariantFilter{ShopID: &shop.ID}); err != nil {
			t.Fatal(err)
		}
	})
}
