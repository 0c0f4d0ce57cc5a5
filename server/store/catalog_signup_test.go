package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestVariantForSignupSeesChanges: a sold-out variant found for a sign-up
// is answered from memory, but a change committed through this store shows
// at once, and one committed by another replica within ShopCacheTTL; a
// sign-up on a variant another replica restocked meanwhile is stored with
// its restock job, since the insert checks the stock again.
func TestVariantForSignupSeesChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "signup.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"a": 0})
		want := func(when string, stock int, notifiable bool) {
			t.Helper()
			v, err := db.FindVariantForSignup(ctx, shop.ID, "a")
			must(t, err)
			if v.Stock != stock || v.Notifiable() != notifiable {
				t.Fatalf("%s: stock %d, notifiable %t; want %d, %t", when, v.Stock, v.Notifiable(), stock, notifiable)
			}
		}
		changes := 0
		restock := func(db *store.DB, available int) {
			t.Helper()
			changes++
			at := db.Clock.Now().Add(time.Duration(changes) * time.Second) // each newer than the last
			_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "a", Available: available, At: at})
			must(t, err)
		}
		want("sold out", 0, true)
		restock(db, 3)
		want("right after a restock", 3, true)
		restock(db, 0)
		want("sold out again", 0, true)

		other := store.New(db.Conn, db.Queue) // another replica's store
		restock(other, 2)
		sub, created, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID,
			VariantID: variant(t, db, shop.ID, "a").ID, Email: "ann@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		must(t, err)
		if !created || sub.Status != stockbell.SubscriptionQueued {
			t.Fatalf("sign-up on a variant restocked elsewhere: created %t, status %s", created, sub.Status)
		}
		if jobs := stockJobs(t, db); jobs[sub.VariantID] == 0 {
			t.Fatalf("no restock job for the sign-up on a purchasable variant: %v", jobs)
		}
		time.Sleep(store.ShopCacheTTL + 50*time.Millisecond)
		want("after another replica's restock and the cache's TTL", 2, true)

		restock(db, 0)
		want("sold out once more", 0, true)
		must(t, db.DeleteProduct(ctx, shop.ID, "p1"))
		want("right after the product's deletion", 0, false)
	})
}
