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

// TestFlowSavedLiveDuringASaveToDraftRechecks: on PostgreSQL, of two saves
// of a live flow at once, one to draft and one back to live, the second
// reads what the first stored. It finds the flow in draft and wakes the
// restock engine for the variants someone waits for, which may have come
// back in stock while the flow was in draft. Read without waiting, the
// live save found the flow live as it was before both, and rechecked
// nothing.
func TestFlowSavedLiveDuringASaveToDraftRechecks(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	clock := useClock(db)
	shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
	live := stockbell.DefaultFlow(shop.ID)
	live.Status = stockbell.FlowLive
	must(t, db.UpdateFlow(ctx, live))
	product(t, db, shop.ID, "p1", map[string]int{"v1": 5})
	v := variant(t, db, shop.ID, "v1")
	_, err := db.DB.Exec(`INSERT INTO subscriptions (shop_id, variant_id, email, channels, status, created_at, updated_at)
		VALUES ($1, $2, 'ann@example.com', 'email', 'queued', $3, $3)`, shop.ID, v.ID, clock.Now())
	must(t, err)

	// The flow's row is held, so that the save to draft waits to store it,
	// having read the flow; the save to live starts meanwhile.
	held, err := db.DB.BeginTxx(ctx, nil)
	must(t, err)
	defer held.Rollback()
	_, err = held.Exec(`SELECT 1 FROM flows WHERE shop_id = $1 FOR UPDATE`, shop.ID)
	must(t, err)
	before := stockJobs(t, db)
	draft := stockbell.DefaultFlow(shop.ID)
	draft.Status = stockbell.FlowDraft
	toDraft := make(chan error, 1)
	go func() { toDraft <- db.UpdateFlow(ctx, draft) }()
	waitForLockWaiters(t, db, 1)
	again := stockbell.DefaultFlow(shop.ID)
	again.Status = stockbell.FlowLive
	toLive := make(chan error, 1)
	go func() { toLive <- db.UpdateFlow(ctx, again) }()
	waitForLockWaiters(t, db, 2)
	must(t, held.Commit())
	must(t, <-toDraft)
	must(t, <-toLive)

	stored, err := db.FindFlow(ctx, shop.ID)
	must(t, err)
	if stored.Status != stockbell.FlowLive {
		t.Fatalf("flow after both saves is %s, want live (the second save's)", stored.Status)
	}
	if jobs := stockJobs(t, db); jobs[v.ID] != before[v.ID]+1 {
		t.Fatalf("stock jobs after the flow went live again = %v (before %v), want one for the variant", jobs, before)
	}
}
