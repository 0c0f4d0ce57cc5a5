package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestProductsUpdateDeletesRemovedVariants: products/update lists every
// variant of the product, so a variant it no longer lists is marked
// deleted (the medium stays) and revived by an update listing it again;
// a payload of 100 variants or more deletes none.
func TestProductsUpdateDeletesRemovedVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		body := readTestdata(t, "products_update.json")
		update := func(updatedAt string, change func(p map[string]any)) {
			t.Helper()
			var p map[string]any
			d := json.NewDecoder(bytes.NewReader(body))
			d.UseNumber() // ids exceed 2^53
			if err := d.Decode(&p); err != nil {
				t.Fatal(err)
			}
			p["updated_at"] = updatedAt
			change(p)
			b, _ := json.Marshal(p)
			e.mustSend(shopifytest.Webhook{Topic: shopify.TopicProductsUpdate, Body: b})
			e.runWebhookJobs()
		}
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicProductsUpdate, Body: body})
		e.runWebhookJobs()

		update("2022-01-02T10:00:00Z", func(p map[string]any) { p["variants"] = p["variants"].([]any)[1:] })
		small, _ := e.variant(shop.ID, smallVariant)
		medium, _ := e.variant(shop.ID, 757650484644203962)
		if !small.VariantDeleted || small.Deleted || small.Notifiable() || medium.VariantDeleted {
			t.Fatalf("after the small variant's removal: small %+v, medium %+v", small, medium)
		}
		update("2022-01-03T10:00:00Z", func(p map[string]any) {})
		if small, _ = e.variant(shop.ID, smallVariant); small.VariantDeleted || !small.Notifiable() {
			t.Fatalf("the small variant listed again = %+v", small)
		}
		// 100 variants may be a part of a larger product's: nothing is
		// deleted for their sake.
		update("2022-01-04T10:00:00Z", func(p map[string]any) {
			medium := p["variants"].([]any)[1].(map[string]any)
			var many []any
			for i := range 100 {
				v := maps.Clone(medium)
				v["id"], v["inventory_item_id"] = json.Number(fmt.Sprint(900000000000000000+i)), json.Number(fmt.Sprint(910000000000000000+i))
				many = append(many, v)
			}
			p["variants"] = many
		})
		if small, _ = e.variant(shop.ID, smallVariant); small.VariantDeleted {
			t.Fatalf("a payload of 100 variants deleted the small one: %+v", small)
		}
	})
}

// TestCatalogSyncDeletesVanishedVariants: the catalog sync lists variants
// page by page, so a variant removed from a product Shopify still has is
// marked deleted only at the end of a complete sync, which no longer
// listed it; the variants of every page are kept, and the sync after the
// variant is listed again revives it.
func TestCatalogSyncDeletesVanishedVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.bigCatalog()
		e.stockTShirt()
		sync := func() {
			t.Helper()
			if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
				t.Fatal(err)
			}
		}
		sync()
		var medium *shopifytest.Variant
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			shirt := s.Products[len(s.Products)-1]
			medium, shirt.Variants = shirt.Variants[1], shirt.Variants[:1]
		})
		sync()
		if v, _ := e.variant(shop.ID, int64(757650484644203962)); !v.VariantDeleted || v.Deleted {
			t.Fatalf("the medium removed from the T-shirt = %+v", v)
		}
		if n := e.count(`SELECT COUNT(*) FROM variants WHERE shop_id = ? AND deleted = ?`, shop.ID, true); n != 1 {
			t.Fatalf("%d variants deleted, want the medium only", n)
		}
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			shirt := s.Products[len(s.Products)-1]
			shirt.Variants = append(shirt.Variants, medium)
		})
		sync()
		if v, _ := e.variant(shop.ID, int64(757650484644203962)); v.VariantDeleted {
			t.Fatalf("the medium listed again = %+v", v)
		}
	})
}
