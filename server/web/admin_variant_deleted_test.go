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

// TestVariantDeletedFromItsProductIsShown: a variant the platform removed
// from a product it still has is marked in the products in demand, and a
// shopper waiting for it reads why nobody will be notified; the storefront
// takes no new sign-up for it.
func TestVariantDeletedFromItsProductIsShown(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		_, err := db.UpsertProduct(context.Background(), stockbell.ProductUpsert{ShopID: w.shop.ID, PlatformID: "p1", Title: "Wool Sweater",
			Published: true, AllVariants: true, Variants: []stockbell.VariantUpsert{{PlatformID: "v-l", Title: "L", Tracked: true}}})
		if err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, w.shop)
		p := b.get("/admin/products")
		wantStatus(t, p, http.StatusOK, "products in demand")
		if want := "Wool Sweater – M SKU WS-M removed from the product"; !strings.Contains(visibleText(p.Body), want) {
			t.Errorf("products in demand lack %q:\n%s", want, visibleText(p.Body))
		}
		p = b.get(fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID))
		wantStatus(t, p, http.StatusOK, "ann's page")
		if want := "The variant was removed from the product on the platform: nobody waiting for it is notified unless the platform lists it again."; !strings.Contains(p.Body, want) {
			t.Errorf("ann's page lacks %q:\n%s", want, p.Body)
		}
	})
}
