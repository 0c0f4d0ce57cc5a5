package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestOrderDuringAnEraseConvertsNothing: an order webhook's attribution
// for a shop being erased records no conversion and returns no error, or
// ENOTFOUND (the shop found gone), its notified shopper erased; another shop's order meanwhile converts. On
// PostgreSQL it comes while the erase has deleted the shop's shoppers, not
// committed: the attribution read the notice as still there, and the
// conversion's foreign key waited for the erase and then failed the order
// as a violation, a receipt the drain retried.
func TestOrderDuringAnEraseConvertsNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone := newEraseFixture(t, db, "gone.myshopify.com")
		kept := newEraseFixture(t, db, "kept.myshopify.com")
		notifiedAt := db.Clock.Now()
		for _, fx := range []eraseFixture{gone, kept} {
			sentMessage(t, db, fx.shop.ID, fx.sub, 2, stockbell.MessageSent, notifiedAt)
		}
		must(t, db.UninstallShop(ctx, gone.shop.ID))
		order := func(fx eraseFixture) error {
			price, _ := stockbell.ParseAmount("25.00")
			return db.RecordOrder(ctx, stockbell.Order{ShopID: fx.shop.ID, PlatformID: "5001", Phone: usMobile, Currency: "EUR",
				CreatedAt: notifiedAt.Add(time.Hour), Total: price,
				Lines: []stockbell.OrderLine{{VariantPlatformID: "v1", Quantity: 1, Price: price}}})
		}
		var err error
		if db.Dialect == store.Postgres {
			err = writeWhileTheEraseHoldsTheShoppers(t, db, gone, func() { must(t, order(kept)) },
				func() error { return order(gone) })
		} else { // SQLite's writes take turns: the erase commits first
			must(t, db.DeleteShop(ctx, gone.shop.ID))
			must(t, order(kept))
			err = order(gone)
		}
		if stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			must(t, err) // the shop may be found gone once the erase committed
		}
		wantShopErased(t, db, gone)
		if n := count(t, db, `SELECT COUNT(*) FROM conversions WHERE shop_id = ?`, gone.shop.ID); n != 0 {
			t.Errorf("%d conversions of the erased shop were recorded", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM conversions WHERE shop_id = ?`, kept.shop.ID); n != 1 {
			t.Errorf("the other shop has %d conversions, want its 1", n)
		}
	})
}
