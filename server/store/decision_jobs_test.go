package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// markDecisionsRunning puts every restock decision job in the running
// state, as the queue does while a worker decides for the variant.
func markDecisionsRunning(t *testing.T, db *store.DB) {
	t.Helper()
	_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE river_job SET state = 'running' WHERE kind = ?`), stockbell.VariantStockChangedJob{}.Kind())
	must(t, err)
}

// TestSubscribingWhileADecisionRuns: a subscription to a variant that can be
// bought asks the engine to decide again. A decision already running for the
// variant may have read the queue before this subscription committed, so
// the new request must not be folded into it: it gets a job of its own.
func TestSubscribingWhileADecisionRuns(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "decide.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 5})
		v := variant(t, db, shop.ID, "v1")

		subscribe(t, db, shop.ID, v.ID, "first@example.com", "")
		if jobs := stockJobs(t, db); jobs[v.ID] != 1 {
			t.Fatalf("decision jobs after a subscription to an available variant = %d, want 1", jobs[v.ID])
		}
		markDecisionsRunning(t, db)
		subscribe(t, db, shop.ID, v.ID, "second@example.com", "")
		if jobs := stockJobs(t, db); jobs[v.ID] != 2 {
			t.Fatalf("decision jobs after subscribing while one runs = %d, want 2", jobs[v.ID])
		}
	})
}

// TestConfirmingWhileADecisionRuns: the same for a confirmation, which
// turns a pending subscription into a queued one.
func TestConfirmingWhileADecisionRuns(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		first := fx.subscribe(t, db, "", usMobile)
		second := fx.subscribe(t, db, "", "+12015550124")

		_, err := db.Confirm(ctx, fx.shop.ID, confirmationOf(t, db, first.ID, stockbell.ChannelSMS).ID, stockbell.ConfirmedByLink)
		must(t, err)
		if jobs := stockJobs(t, db); jobs[fx.variant.ID] != 1 {
			t.Fatalf("decision jobs after a confirmation = %d, want 1", jobs[fx.variant.ID])
		}
		markDecisionsRunning(t, db)
		_, err = db.Confirm(ctx, fx.shop.ID, confirmationOf(t, db, second.ID, stockbell.ChannelSMS).ID, stockbell.ConfirmedByLink)
		must(t, err)
		if jobs := stockJobs(t, db); jobs[fx.variant.ID] != 2 {
			t.Fatalf("decision jobs after confirming while one runs = %d, want 2", jobs[fx.variant.ID])
		}
	})
}
