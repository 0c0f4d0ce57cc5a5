package store_test

import (
	"fmt"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSubscriptionBatchesLockVariantsInIDOrder: on PostgreSQL a batch of
// posts for two variants, the higher id's first, takes its key-share locks
// on the variants in id order, as stock changes take their update locks.
// A transaction that holds the lower id for update, as a stock change
// does, then takes the higher one while the batch waits for the lower:
// had the batch locked the higher first, the two would each wait for the
// other, and PostgreSQL would abort one as a deadlock. Run for each way a
// batch stores its posts: one statement without a transaction (plain), a
// transaction (a shop with an outbound webhook endpoint), and post by
// post (a shop whose email sign-ups await confirmation).
func TestSubscriptionBatchesLockVariantsInIDOrder(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	plain := install(t, db, stockbell.PlatformShopify, "plain.myshopify.com")
	hooked := install(t, db, stockbell.PlatformShopify, "hooked.myshopify.com")
	mustEndpoint(t, db, hooked.ID, stockbell.WebhookSubscriptionCreated)
	confirming := install(t, db, stockbell.PlatformShopify, "confirming.myshopify.com")
	on := true
	_, err := db.UpdateSettings(ctx, confirming.ID, stockbell.SettingsUpdate{EmailDoubleOptIn: &on})
	must(t, err)
	for _, shop := range []*stockbell.Shop{plain, hooked, confirming} {
		t.Run(shop.Domain, func(t *testing.T) {
			product(t, db, shop.ID, "p1", map[string]int{"a": 0, "b": 0})
			low, high := variant(t, db, shop.ID, "a"), variant(t, db, shop.ID, "b")
			if low.ID > high.ID {
				low, high = high, low
			}
			post := func(v *stockbell.VariantWithProduct, email string) stockbell.SubscriptionCreate {
				return stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Email: email,
					Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"}
			}

			change := beginFirstToDeadlock(t, db)
			_, err = change.Exec(`SELECT id FROM variants WHERE id = $1 FOR UPDATE`, low.ID)
			must(t, err)

			done := make(chan []error, 1)
			go func() {
				_, created, errs := store.CreateSubscriptionsInOneBatch(db, []stockbell.SubscriptionCreate{
					post(high, "ann@example.com"), post(low, "bob@example.com")})
				for i := range errs {
					if errs[i] == nil && !created[i] {
						errs[i] = fmt.Errorf("post %d not created", i)
					}
				}
				done <- errs
			}()
			waitForLockWaiters(t, db, 1)
			if _, err := change.Exec(`SELECT id FROM variants WHERE id = $1 FOR UPDATE`, high.ID); err != nil {
				t.Fatalf("the stock change's second lock, with the batch waiting for its first: %v", err)
			}
			must(t, change.Commit())
			for i, err := range <-done {
				if err != nil {
					t.Fatalf("post %d: %v", i, err)
				}
			}
		})
	}
}
