package bigcommerce_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestVariantRemovedFromAProduct: a variant removed from a product the
// store still has is marked deleted when the product is read again (its
// store/product/updated webhook), and revived by a catalog sync that
// lists it again; the product's other variants are left alone.
func TestVariantRemovedFromAProduct(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		var removed *bigcommercetest.Variant
		var shirt *bigcommercetest.Product
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
			for _, p := range s.Products {
				if p.ID == shirtID {
					shirt = p
				}
			}
			for i, v := range shirt.Variants {
				if v.ID == shirtSmall {
					removed = v
					shirt.Variants = append(shirt.Variants[:i:i], shirt.Variants[i+1:]...)
					break
				}
			}
		})
		e.deliver(bigcommerce.ScopeProductUpdated, bigcommercetest.ProductEvent(shirtID))
		if v := e.variant(shop, shirtSmall); !v.VariantDeleted || v.Deleted || v.Notifiable() {
			t.Fatalf("removed variant = %+v", v)
		}
		for _, v := range shirt.Variants {
			if got := e.variant(shop, v.ID); got.VariantDeleted {
				t.Fatalf("variant still listed = %+v", got)
			}
		}

		e.fake.Do(storeHash, func(s *bigcommercetest.Store) { shirt.Variants = append(shirt.Variants, removed) })
		if err := e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		if v := e.variant(shop, shirtSmall); v.VariantDeleted || !v.Notifiable() {
			t.Fatalf("variant listed again = %+v", v)
		}
	})
}
