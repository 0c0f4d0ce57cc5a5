package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestCatalogWriteDuringAnEraseFindsTheShopGone: a catalog sync's upsert
// of a product, new or stored, for a shop being erased returns ENOTFOUND
// and leaves nothing of the shop, as a sync's job reads the shop gone and
// ends; the same upsert for another shop meanwhile is stored. On
// PostgreSQL it comes while the erase has deleted the shop's row, not
// committed: the upsert cannot take the shop's key share first (the erase
// locks products and variants before the shop's row), so its insert's
// foreign key waited for the erase and then failed the upsert as a
// violation, a server error.
func TestCatalogWriteDuringAnEraseFindsTheShopGone(t *testing.T) {
	for _, platformID := range []string{"p2", "p1"} { // new, stored
		t.Run(platformID, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				gone := newEraseFixture(t, db, "gone.myshopify.com")
				kept := newEraseFixture(t, db, "kept.myshopify.com")
				must(t, db.UninstallShop(ctx, gone.shop.ID))
				upsert := func(shopID int64) error {
					_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shopID, PlatformID: platformID, Title: "Lamp",
						Published: true, Variants: []stockbell.VariantUpsert{{PlatformID: platformID + "-v", Title: "Default", Tracked: true}}})
					return err
				}
				var err error
				if db.Dialect == store.Postgres {
					err = writeWhileTheEraseHoldsTheShop(t, db, gone, func() { must(t, upsert(kept.shop.ID)) },
						func() error { return upsert(gone.shop.ID) })
				} else { // SQLite's writes take turns: the erase commits first
					must(t, db.DeleteShop(ctx, gone.shop.ID))
					must(t, upsert(kept.shop.ID))
					err = upsert(gone.shop.ID)
				}
				wantCode(t, err, stockbell.ENOTFOUND, "")
				wantShopErased(t, db, gone)
				if n := count(t, db, `SELECT COUNT(*) FROM variants WHERE shop_id = ? AND platform_id = ?`, kept.shop.ID, platformID+"-v"); n != 1 {
					t.Errorf("the other shop has %d of the upserted variant, want 1", n)
				}
			})
		})
	}
}
