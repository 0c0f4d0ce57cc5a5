package bigcommerce_test

import (
	"encoding/json"
	"slices"
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

// TestSKUDeletedWebhook: the merchant deletes a variant of the shirt,
// which the store still sells, and BigCommerce sends store/sku/deleted.
// Stockbell subscribes to it, reads the shirt again with all its variants
// and marks the removed one deleted; the shirt's other variant is kept.
func TestSKUDeletedWebhook(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		data := e.fake.RemoveVariant(storeHash, shirtSmall)
		e.deliver(bigcommerce.ScopeSKUDeleted, data)
		if v := e.variant(shop, shirtSmall); !v.VariantDeleted || v.Deleted || v.Notifiable() {
			t.Fatalf("deleted variant = %+v", v)
		}
		if v := e.variant(shop, shirtLarge); v.VariantDeleted || !v.Notifiable() {
			t.Fatalf("the shirt's other variant = %+v", v)
		}
	})
}

// TestSKUDeletedIsReadAgain: a store/sku/deleted is a hint, as a stock
// webhook is: one naming a variant the product still lists deletes
// nothing, because the product read again lists it.
func TestSKUDeletedIsReadAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		e.deliver(bigcommerce.ScopeSKUDeleted, bigcommercetest.SKUDeleted(shirtSmallSKU, shirtID, shirtSmall))
		if v := e.variant(shop, shirtSmall); v.VariantDeleted || !v.Notifiable() {
			t.Fatalf("variant the product still lists = %+v", v)
		}
	})
}

// TestHookCheckAddsSKUDeleted: a store whose hooks were made before
// Stockbell subscribed to store/sku/deleted gets that hook from the
// hourly hook check, with the store's secret, and nothing else changes.
func TestHookCheckAddsSKUDeleted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.installed()
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
			s.Hooks = slices.DeleteFunc(s.Hooks, func(h *bigcommercetest.Hook) bool { return h.Scope == bigcommerce.ScopeSKUDeleted })
		})
		before := hooksOf(e)
		must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{}))
		var queued []string
		must(t, db.DB.Select(&queued, `SELECT `+jsonArgs(db)+` FROM river_job WHERE kind = 'bigcommerce_register_hooks'`))
		for _, args := range queued {
			var job stockbell.BigCommerceRegisterHooksJob
			must(t, json.Unmarshal([]byte(args), &job))
			must(t, e.in.RegisterHooks(ctx, job))
		}
		after := hooksOf(e)
		if len(after) != len(before)+1 {
			t.Fatalf("%d hooks after the check, want %d", len(after), len(before)+1)
		}
		added := after[len(after)-1]
		if added.Scope != bigcommerce.ScopeSKUDeleted || !added.Active ||
			added.Headers[bigcommerce.SecretHeader] != before[0].Headers[bigcommerce.SecretHeader] {
			t.Fatalf("hook added by the check = %+v", added)
		}
	})
}

// TestReconcileSkipsDeletedVariants: the 15-minute reconciliation reads
// again only products with a waited-for variant that can still be
// notified. The small shirt, deleted from the shirt, has a shopper
// waiting, but the shirt is not read for it; the mug is.
func TestReconcileSkipsDeletedVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		e.subscribe(shop, e.variant(shop, shirtSmall).ID, "ann@example.com")
		e.subscribe(shop, e.variant(shop, mugVariant).ID, "bob@example.com")
		e.deliver(bigcommerce.ScopeSKUDeleted, e.fake.RemoveVariant(storeHash, shirtSmall))
		if !e.variant(shop, shirtSmall).VariantDeleted {
			t.Fatal("the small shirt was not marked deleted")
		}
		_, before := e.throttledAndRequests()
		must(t, e.in.Reconcile(ctx, stockbell.BigCommerceReconcileJob{ShopID: shop.ID}))
		// The mug alone: its product and one inventory page.
		if _, after := e.throttledAndRequests(); after-before != 2 {
			t.Fatalf("%d API requests, want 2 (the mug's)", after-before)
		}
	})
}
