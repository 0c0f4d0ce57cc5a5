package store_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestActivityAtOneInstantIsInTheOrderItHappened: records stamped with the
// same instant (a restock and its first batch, written in one
// transaction) stream in the order they were recorded, not by their
// kind's name, which put batch_started before its restocked.
func TestActivityAtOneInstantIsInTheOrderItHappened(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		v1 := variant(t, db, shop.ID, "v1")
		sub := insertSubscription(t, db, shop.ID, v1.ID, "ann@example.com", "", stockbell.SubscriptionQueued)
		clock.Add(time.Hour)
		happened := []stockbell.EventKind{stockbell.EventUnsubscribed, stockbell.EventSubscribed, stockbell.EventRestocked,
			stockbell.EventBatchStarted, stockbell.EventSkipped}
		for _, kind := range happened {
			_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
				VALUES (?, ?, ?, ?, '{}', ?)`), shop.ID, kind, v1.ID, sub, clock.Now())
			must(t, err)
		}
		var got []stockbell.EventKind
		filter := stockbell.ActivityFilter{ShopID: shop.ID, Since: clock.Now().Add(-time.Minute), Until: clock.Now().Add(time.Minute)}
		must(t, db.EachActivity(ctx, filter, func(r *stockbell.ActivityRecord) error {
			got = append(got, r.Kind)
			return nil
		}))
		if !slices.Equal(got, happened) {
			t.Fatalf("activity at one instant streamed as %v, want as it happened %v", got, happened)
		}
	})
}
