package main

import (
	"context"
	"fmt"
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
