package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSignUpGatheredWithARestockWakesTheEngine: a restock of a sold-out
// variant and a shopper's post for it, gathered by the group-commit
// writer into one batch with the restock first, leave the shopper queued
// on a variant in stock with the restock engine's job to decide on them.
// Another shop's shopper waiting for its own variant of the same platform
// id gets no job and is not touched.
func TestSignUpGatheredWithARestockWakesTheEngine(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, v := soldOut(t, db)
		other, otherSub := otherShopWaitingFor(t, db, "v1")

		result, sub, errs := store.ChangeStockThenSubscribeInOneBatch(db,
			stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: "paris", Available: 3, At: clock.Now()},
			stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Email: "late@example.com",
				Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		for _, err := range errs {
			must(t, err)
		}
		if !result.Applied || result.NewStock != 3 || sub.Status != stockbell.SubscriptionQueued {
			t.Fatalf("restock %+v, sign-up %+v; want applied to 3 and the shopper queued", result, sub)
		}
		if jobs := stockJobs(t, db); jobs[v.ID] == 0 || len(jobs) != 1 {
			t.Fatalf("stock jobs = %v, want the restocked variant's %d alone", jobs, v.ID)
		}
		wantUntouched(t, db, other.ID, otherSub)
	})
}

// TestSignUpWaitingForARestocksLockSeesItsStock: on PostgreSQL a
// shopper's post that comes while a restock holds its variant (locked for
// update, stock written, not yet committed) waits for the restock's
// commit and sees the new stock, so it queues the restock engine's job
// itself: the restock, which read the queue before the post was stored,
// queued none. Run for a post stored by the plain statement and by a
// transaction (a shop with an outbound webhook endpoint).
func TestSignUpWaitingForARestocksLockSeesItsStock(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	plain := install(t, db, stockbell.PlatformShopify, "plain.myshopify.com")
	hooked := install(t, db, stockbell.PlatformShopify, "hooked.myshopify.com")
	mustEndpoint(t, db, hooked.ID, stockbell.WebhookSubscriptionCreated)
	other, otherSub := otherShopWaitingFor(t, db, "a")
	for _, shop := range []*stockbell.Shop{plain, hooked} {
		t.Run(shop.Domain, func(t *testing.T) {
			product(t, db, shop.ID, "p1", map[string]int{"a": 0})
			v := variant(t, db, shop.ID, "a")
			var sub *stockbell.Subscription
			restock := `WITH locked AS (SELECT id FROM variants WHERE id = $1 FOR UPDATE)
				UPDATE variants SET stock = 3 FROM locked WHERE variants.id = locked.id`
			must(t, afterWaitingFor(t, db, restock, []any{v.ID}, func() (err error) {
				sub, _, err = db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID,
					Email: "late@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
				return err
			}))
			if sub.Status != stockbell.SubscriptionQueued {
				t.Fatalf("sign-up = %+v, want queued", sub)
			}
			if jobs := stockJobs(t, db); jobs[v.ID] != 1 {
				t.Fatalf("stock jobs = %v, want one for variant %d, restocked as the sign-up waited", jobs, v.ID)
			}
		})
	}
	if jobs := stockJobs(t, db); jobs[otherSub.VariantID] != 0 {
		t.Fatalf("stock jobs = %v: one for the other shop's variant, still sold out", jobs)
	}
	wantUntouched(t, db, other.ID, otherSub)
}

// otherShopWaitingFor installs another shop whose variant of that platform
// id is sold out, and queues a shopper for it.
func otherShopWaitingFor(t *testing.T, db *store.DB, platformID string) (*stockbell.Shop, *stockbell.Subscription) {
	t.Helper()
	shop := install(t, db, stockbell.PlatformShopify, "other.myshopify.com")
	product(t, db, shop.ID, "p1", map[string]int{platformID: 0})
	sub, _ := subscribe(t, db, shop.ID, variant(t, db, shop.ID, platformID).ID, "early@example.com", "")
	return shop, sub
}

// wantUntouched fails unless the shop's subscription is as it was.
func wantUntouched(t *testing.T, db *store.DB, shopID int64, was *stockbell.Subscription) {
	t.Helper()
	got, err := db.FindSubscriptionByID(ctx, shopID, was.ID)
	must(t, err)
	if got.Status != was.Status || !got.UpdatedAt.Equal(was.UpdatedAt) {
		t.Fatalf("the other shop's subscription: %s updated %v, want %s untouched since %v", got.Status, got.UpdatedAt, was.Status, was.UpdatedAt)
	}
}
