package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFlowLeavingDraftWaitsForASubscriptionInFlight: on PostgreSQL a flow
// set live while a subscription on a variant in stock is being stored (its
// row inserted, not yet committed) waits for that subscription and then
// wakes the restock engine for its variant. Without the wait, the flow's
// read of the queue would miss the subscription, and the subscription's
// own job could run before the flow's commit and find it still in draft:
// the shopper would wait for the variant's next stock change.
func TestFlowLeavingDraftWaitsForASubscriptionInFlight(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	clock := useClock(db)
	shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
	flow := stockbell.DefaultFlow(shop.ID)
	flow.Status = stockbell.FlowDraft
	must(t, db.UpdateFlow(ctx, flow))
	product(t, db, shop.ID, "p1", map[string]int{"v1": 5})
	v := variant(t, db, shop.ID, "v1")

	before := stockJobs(t, db)
	live := stockbell.DefaultFlow(shop.ID)
	live.Status = stockbell.FlowLive
	must(t, afterWaitingFor(t, db, `INSERT INTO subscriptions (shop_id, variant_id, email, channels, status, created_at, updated_at)
		VALUES ($1, $2, 'ann@example.com', 'email', 'queued', $3, $3)`, []any{shop.ID, v.ID, clock.Now()}, func() error {
		return db.UpdateFlow(ctx, live)
	}))
	if jobs := stockJobs(t, db); jobs[v.ID] != before[v.ID]+1 {
		t.Fatalf("stock jobs after the flow went live = %v (before %v), want one for the variant", jobs, before)
	}
}
