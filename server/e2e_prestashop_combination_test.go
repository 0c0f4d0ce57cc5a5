package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
)

// e2ePSMedium is a combination added to the T-shirt after the shop was
// connected, then removed from it.
const e2ePSMedium = int64(12)

// combinationRemoved: a medium size added to the T-shirt is read by the
// catalog sync and a shopper waits for it; the merchant removes it from
// the T-shirt, which the shop still sells, and the next sync marks it
// deleted: the storefront takes no more subscriptions for it, the small
// size is kept, and the admin's products in demand mark the medium
// removed from the product.
func (ps *psShop) combinationRemoved(t *testing.T, shop *stockbell.Shop) {
	t.Helper()
	sync := func(what string, done func(v *stockbell.VariantWithProduct) bool) {
		t.Helper()
		ps.syncUntil(t, shop, what, func() bool {
			v, err := ps.m.DB.FindVariant(context.Background(), shop.ID, "1-12")
			return err == nil && done(v)
		})
	}
	shirt := func(s *prestashoptest.Shop) *prestashoptest.Product {
		for _, p := range s.Products {
			if p.ID == e2ePSShirt {
				return p
			}
		}
		t.Fatal("no T-shirt in the shop")
		return nil
	}
	ps.fake.Do(func(s *prestashoptest.Shop) {
		s.OptionValues[2] = "M"
		p := shirt(s)
		p.Combinations = append(p.Combinations, &prestashoptest.Combination{ID: e2ePSMedium, Reference: "demo_1_m", Price: "0", OptionValues: []int64{2}})
	})
	sync("the medium T-shirt read", func(v *stockbell.VariantWithProduct) bool { return v.Notifiable() })
	if status, answer := ps.subscribeAnswer(t, "1-12", "dan@example.com"); status != http.StatusCreated {
		t.Fatalf("subscription to the sold-out medium T-shirt answered %d: %s", status, answer)
	}
	ps.fake.Do(func(s *prestashoptest.Shop) {
		p := shirt(s)
		p.Combinations = p.Combinations[:len(p.Combinations)-1]
	})
	sync("the medium T-shirt marked deleted", func(v *stockbell.VariantWithProduct) bool { return v.VariantDeleted })
	if status, answer := ps.subscribeAnswer(t, "1-12", "eve@example.com"); status != http.StatusUnprocessableEntity ||
		!strings.Contains(answer, "not available for alerts") {
		t.Fatalf("subscription to the removed medium answered %d: %s", status, answer)
	}
	if small, err := ps.m.DB.FindVariant(context.Background(), shop.ID, "1-11"); err != nil || !small.Notifiable() {
		t.Fatalf("the small T-shirt, still sold = %+v, %v", small, err)
	}
	if row, page := ps.productsRow(t, "Hummingbird T-shirt – M"); !strings.Contains(row, `<span class="badge failed">removed from the product</span>`) {
		t.Fatalf("the admin's products in demand do not mark the removed medium: %s", page)
	}
}
