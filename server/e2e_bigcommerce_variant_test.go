package main

import (
	"context"
	"net/http"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
)

// e2eMedium is a variant added to the shirt after the install, then
// removed from it.
const e2eMedium = int64(510)

// bigCommerceVariantRemoved: a medium size added to the shirt is read by a stock
// webhook of the shirt and a shopper waits for it; the merchant
// removes it from the shirt, which the store still sells, and its
// store/sku/deleted reads the shirt without it: the medium is marked
// deleted and the storefront takes no more subscriptions for it.
func bigCommerceVariantRemoved(t *testing.T, m *Main, fake *bigcommercetest.Fake, shop *stockbell.Shop) {
	t.Helper()
	ctx := context.Background()
	// Two events of one scope and product within a second share their
	// hash, as a retry would: the medium comes with a stock event.
	read := func(what string, d *bigcommercetest.Delivery, done func(v *stockbell.VariantWithProduct) bool) {
		t.Helper()
		if status, dup := postEvent(t, m, d); status != http.StatusOK || dup {
			t.Fatalf("%s answered %d, duplicate %t", d.Scope, status, dup)
		}
		eventually(t, m, what, func() bool {
			v, err := m.DB.FindVariant(ctx, shop.ID, "510")
			return err == nil && done(v)
		})
	}
	fake.Do(e2eStore, func(s *bigcommercetest.Store) {
		s.Products[0].Variants = append(s.Products[0].Variants, &bigcommercetest.Variant{ID: e2eMedium, SKUID: e2eSKU + 1,
			SKU: "SHIRT-M", Options: []string{"Medium"}, Levels: map[int64]int{e2eWarehouse: 0, e2eShopFloor: 0}})
	})
	stock := event(t, fake, bigcommerce.ScopeProductInventory, bigcommercetest.ProductInventory(e2eShirt, "absolute", 0))
	read("the medium shirt read", stock, func(v *stockbell.VariantWithProduct) bool { return v.Notifiable() })
	if status := subscribe(t, m, e2eStorefront, "510", "bo@example.com"); status != http.StatusCreated {
		t.Fatalf("subscription to the sold-out medium answered %d", status)
	}
	removed := event(t, fake, bigcommerce.ScopeSKUDeleted, fake.RemoveVariant(e2eStore, e2eMedium))
	read("the medium shirt marked deleted", removed, func(v *stockbell.VariantWithProduct) bool { return v.VariantDeleted })
	if status := subscribe(t, m, e2eStorefront, "510", "cy@example.com"); status != http.StatusUnprocessableEntity {
		t.Fatalf("subscription to the removed medium answered %d, want 422", status)
	}
	if small, err := m.DB.FindVariant(ctx, shop.ID, "509"); err != nil || !small.Notifiable() {
		t.Fatalf("the small shirt, still sold = %+v, %v", small, err)
	}
}
