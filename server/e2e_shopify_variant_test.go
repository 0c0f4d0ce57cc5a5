package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// shopifyVariantRemoved: the merchant replaces the T-shirt's small size with a
// medium one; Shopify's products/update lists the T-shirt's variants,
// the medium only, so the small is marked deleted and the medium stored.
func shopifyVariantRemoved(t *testing.T, m *Main, fake *shopifytest.Fake, shop *stockbell.Shop) {
	t.Helper()
	ctx := context.Background()
	body := fmt.Sprintf(`{"id":788032119674292922,"title":"Example T-Shirt","handle":"example-t-shirt","status":"active",
		"published_at":"2021-12-31T16:00:00-05:00","updated_at":%q,"variants":[{"id":757650484644203962,"title":"Medium",
		"sku":"TS-M","price":"19.99","inventory_policy":"deny","inventory_management":"shopify","inventory_item_id":1070325041}]}`,
		time.Now().UTC().Format(time.RFC3339))
	sendWebhook(t, m, fake, shopifytest.Webhook{Topic: "products/update", Body: []byte(body)})
	eventually(t, m, "the small T-shirt marked deleted", func() bool {
		small, err := m.DB.FindVariant(ctx, shop.ID, "642667041472713922")
		medium, err2 := m.DB.FindVariant(ctx, shop.ID, "757650484644203962")
		return err == nil && err2 == nil && small.VariantDeleted && !small.Notifiable() && !medium.VariantDeleted
	})
}

// TestShopifyLargeProductCreateTakesEverySignUp runs on the real server: a
// product of 150 variants is created in Shopify after the catalog sync;
// its products/create lists the first 100 in full and names all 150, so
// the rest are read through the Admin API by the job its processing
// queues, and a shopper's sign-up for the 140th is taken once that job
// has run, without waiting for its inventory webhooks or the daily
// catalog sync.
func TestShopifyLargeProductCreateTakesEverySignUp(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { largeProductCreateTakesEverySignUp(t, dbURL) })
	}
}

func largeProductCreateTakesEverySignUp(t *testing.T, dbURL string) {
	m, fake := shopifyServer(t, dbURL)
	shop := installSynced(t, m, fake)
	const posterID, firstVariant = int64(9_100_000_000_000_000), int64(9_200_000_000_000_000)
	fake.Do(e2eShop, func(s *shopifytest.Shop) {
		poster := &shopifytest.Product{ID: posterID, Title: "Poster", Handle: "poster", Status: "ACTIVE", Published: true, UpdatedAt: time.Now()}
		for i := range int64(150) {
			id := firstVariant + i
			poster.Variants = append(poster.Variants, &shopifytest.Variant{ID: id, Title: fmt.Sprint("Size ", i+1), Price: "5.00",
				Policy: "DENY", InventoryItemID: id + 1_000_000, Tracked: true, Levels: []shopifytest.Level{{LocationID: 24826418}}})
		}
		s.Products = append(s.Products, poster)
	})
	sendWebhook(t, m, fake, *fake.ProductCreate(e2eShop, posterID))
	eventually(t, m, "the products/create processed and its read of the poster's variants done", func() bool {
		var receipts, jobs int
		err := m.DB.DB.Get(&receipts, `SELECT COUNT(*) FROM webhook_receipts WHERE topic = 'products/create' AND processed_at IS NOT NULL`)
		err2 := m.DB.DB.Get(&jobs, `SELECT COUNT(*) FROM river_job WHERE kind = 'shopify_product_variants' AND state = 'completed'`)
		return err == nil && err2 == nil && receipts == 1 && jobs == 1
	})
	if code := subscribe(t, m, e2eShop, fmt.Sprint(firstVariant+139), "ann@example.com"); code != http.StatusCreated {
		t.Fatalf("a sign-up for the poster's 140th variant answered %d, want 201", code)
	}
	poster := fmt.Sprint(posterID)
	if _, total, err := m.DB.FindVariants(context.Background(), stockbell.VariantFilter{ShopID: &shop.ID, ProductPlatformID: &poster}); err != nil || total != 150 {
		t.Fatalf("%d of the poster's variants stored (%v), want 150", total, err)
	}
}
