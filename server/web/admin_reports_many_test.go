package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestReportsFiltersOfAShopWithManyVariants: the filters listed the first
// 200 variants and only their products, so a shop with more could choose
// neither a later product nor its variants. Product lists every product;
// with one chosen, Variant lists that product's variants; the page says
// that the full list is cut and how to reach the others.
func TestReportsFiltersOfAShopWithManyVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		late := manyVariants(t, db, w.shop.ID)
		b := f.signIn(t, w.shop)
		p := b.get("/admin/reports")
		wantStatus(t, p, http.StatusOK, "reports")
		if want := fmt.Sprintf(`<option value="%d">Late Scarf</option>`, late.ProductID); !strings.Contains(p.Body, want) {
			t.Errorf("the product filter lacks %s", want)
		}
		if !strings.Contains(p.Body, "choose its product and Show to list its variants") {
			t.Errorf("the page does not say how to reach the variants beyond the list:\n%.4000s", p.Body)
		}
		p = b.get(fmt.Sprintf("/admin/reports?product=%d", late.ProductID))
		wantStatus(t, p, http.StatusOK, "reports of a product")
		for _, want := range []string{fmt.Sprintf(`<option value="%d">Late Scarf – Blue</option>`, late.ID), ">Late Scarf – Red</option>"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the variant filter of Late Scarf lacks %s", want)
			}
		}
		if strings.Contains(p.Body, "Sock – Size") {
			t.Errorf("the variant filter of Late Scarf lists Sock's variants")
		}
	})
}

// manyVariants adds to the shop a sock in 200 sizes, then a scarf in blue
// and red, beyond the 200 variants the Variant filter lists; it returns
// the blue scarf.
func manyVariants(t *testing.T, db *store.DB, shopID int64) *stockbell.VariantWithProduct {
	t.Helper()
	ctx := context.Background()
	many := stockbell.ProductUpsert{ShopID: shopID, PlatformID: "p-many", Title: "Sock", Published: true}
	for i := range 200 {
		many.Variants = append(many.Variants, stockbell.VariantUpsert{PlatformID: fmt.Sprintf("s-%03d", i), Title: fmt.Sprintf("Size %03d", i)})
	}
	if _, err := db.UpsertProduct(ctx, many); err != nil {
		t.Fatal(err)
	}
	_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shopID, PlatformID: "p-late", Title: "Late Scarf", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "late-1", Title: "Blue"}, {PlatformID: "late-2", Title: "Red"}}})
	if err != nil {
		t.Fatal(err)
	}
	late, err := db.FindVariant(ctx, shopID, "late-1")
	if err != nil {
		t.Fatal(err)
	}
	return late
}
