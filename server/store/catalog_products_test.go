package store_test

import (
	"slices"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFindProductsListsEveryProductByTitle: the shop's products, a deleted
// one too (its past activity is reported), by title, at most the limit
// asked, with how many the shop has; another shop's are not among them.
func TestFindProductsListsEveryProductByTitle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "many.myshopify.com")
		other := install(t, db, stockbell.PlatformShopify, "other.myshopify.com")
		for _, title := range []string{"Scarf", "Boot", "Hat"} {
			_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p-" + title, Title: title, Published: true,
				Variants: []stockbell.VariantUpsert{{PlatformID: "v-" + title, Title: "One"}}})
			must(t, err)
		}
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: other.ID, PlatformID: "p-Apron", Title: "Apron", Published: true})
		must(t, err)
		must(t, db.DeleteProduct(ctx, shop.ID, "p-Hat"))
		for limit, want := range map[int][]string{1000: {"Boot", "Hat", "Scarf"}, 2: {"Boot", "Hat"}} {
			products, total, err := db.FindProducts(ctx, shop.ID, limit)
			must(t, err)
			var titles []string
			for _, p := range products {
				if p.ShopID != shop.ID {
					t.Errorf("another shop's product listed: %+v", p)
				}
				titles = append(titles, p.Title)
			}
			if !slices.Equal(titles, want) || total != 3 {
				t.Errorf("limit %d: %v of %d, want %v of 3", limit, titles, total, want)
			}
		}
		if products, total, err := db.FindProducts(ctx, install(t, db, stockbell.PlatformShopify, "empty.myshopify.com").ID, 10); err != nil ||
			len(products) != 0 || total != 0 || products == nil {
			t.Errorf("an empty shop: %v of %d (%v), want an empty list", products, total, err)
		}
	})
}
