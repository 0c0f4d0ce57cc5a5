package store_test

import (
	"fmt"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// connectPrivateFeed connects a feed shop whose feed has credentials.
func connectPrivateFeed(t *testing.T, db *store.DB, domain string) *stockbell.Shop {
	t.Helper()
	shop, _, err := db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: domain, URL: "https://" + domain + "/feed.json",
		SealCredentials: func(shopID int64) ([]byte, error) { return fmt.Appendf(nil, "sealed for %d", shopID), nil }})
	must(t, err)
	return shop
}

// TestUninstalledFeedShopKeepsNoCredentialsAndIsErased: a feed shop
// uninstalled (an operator's disconnect) keeps no secret to its feed, and
// can then be erased with its feed; another feed shop keeps its
// credentials and its feed throughout.
func TestUninstalledFeedShopKeepsNoCredentialsAndIsErased(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone, kept := connectPrivateFeed(t, db, "gone.example.com"), connectPrivateFeed(t, db, "kept.example.com")
		must(t, db.UninstallShop(ctx, gone.ID))
		feed, err := db.FindFeed(ctx, gone.ID)
		must(t, err)
		if feed.SealedCredentials != nil {
			t.Fatalf("the disconnected feed keeps its credentials %q", feed.SealedCredentials)
		}
		must(t, db.DeleteShop(ctx, gone.ID))
		if _, err := db.FindFeed(ctx, gone.ID); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("the erased shop's feed: err %v, want ENOTFOUND", err)
		}
		other, err := db.FindFeed(ctx, kept.ID)
		must(t, err)
		if string(other.SealedCredentials) != fmt.Sprintf("sealed for %d", kept.ID) {
			t.Fatalf("another shop's feed credentials = %q", other.SealedCredentials)
		}
	})
}

// TestFeedShopEraseLocksTheFeedBeforeItsProducts: a batch of a feed's
// sync holds the feed's row, then locks the shop's products. The erase of
// the shop takes the feed's row before the products, so it waits for the
// batch rather than holding the products the batch then waits for (a
// deadlock, which would abort the batch).
func TestFeedShopEraseLocksTheFeedBeforeItsProducts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite's writes are serial")
		}
		shop := connectPrivateFeed(t, db, "gone.example.com")
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Lamp", Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: "v1", Title: "Default", Tracked: true}}})
		must(t, err)
		must(t, db.UninstallShop(ctx, shop.ID))
		batch := beginFirstToDeadlock(t, db)
		_, err = batch.Exec(`SELECT shop_id FROM feeds WHERE shop_id = $1 FOR SHARE`, shop.ID)
		must(t, err)
		erased := make(chan error, 1)
		go func() { erased <- db.DeleteShop(ctx, shop.ID) }()
		waitForLockWaiters(t, db, 1)
		if _, err := batch.Exec(`SELECT id FROM products WHERE shop_id = $1 FOR UPDATE`, shop.ID); err != nil {
			t.Fatalf("the batch locking the products after its feed's row: %v", err)
		}
		must(t, batch.Commit())
		must(t, <-erased)
	})
}
