package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestLoweredMinimumRacingARestockWakesTheEngine: a restock of a variant
// a shopper waits for, decided on while an update lowering the minimum
// inventory below its new stock has not committed, is decided on the old
// minimum and holds the shopper back; the update wakes the restock engine
// for the variant all the same, so that it is decided on again with the
// new minimum rather than at its next stock change. On PostgreSQL the
// restock commits after the update read the stock. Another shop's
// shopper, waiting for a variant in stock below its own minimum, gets no
// job and is not touched.
func TestLoweredMinimumRacingARestockWakesTheEngine(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop, v := awaitedSoldOut(t, db)
		setMinimum(t, db, shop.ID, 5)
		other, otherSub := otherShopWaitingFor(t, db, "v1")
		setMinimum(t, db, other.ID, 5)
		restock(t, db, other.ID)

		decided, jobs := restockDuringUpdate(t, db, shop.ID, v.ID, func(beforeCommit func()) error {
			_, err := store.UpdateSettingsBeforeCommit(db, shop.ID, stockbell.SettingsUpdate{MinInventory: ptr(2)}, beforeCommit)
			return err
		})
		if decided.Settings.MinInventory != 5 {
			t.Fatalf("the restock's decision read the minimum %d, want the old one, 5", decided.Settings.MinInventory)
		}
		jobs.want(t, v.ID, 2, "the restock's, decided on the old minimum, and one after the update")
		jobs.want(t, otherSub.VariantID, 0, "the other shop's variant is below its minimum")
		state, err := db.FindRestockState(ctx, shop.ID, v.ID)
		must(t, err)
		if state.Settings.MinInventory != 2 {
			t.Fatalf("minimum after the update = %d, want 2", state.Settings.MinInventory)
		}
		wantUntouched(t, db, other.ID, otherSub)
	})
}

// TestFlowGoingLiveRacingARestockWakesTheEngine: a restock decided on
// while a flow leaving draft has not committed finds it in draft and
// tells nobody; the flow's save wakes the restock engine for every
// variant someone waits for, whatever its stock read, so the variant is
// decided on again with the flow live. Another shop, its flow in draft and
// its variant in stock, gets no job and its shopper is not touched.
func TestFlowGoingLiveRacingARestockWakesTheEngine(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop, v := awaitedSoldOut(t, db)
		setFlow(t, db, shop.ID, stockbell.FlowDraft)
		other, otherSub := otherShopWaitingFor(t, db, "v1")
		setFlow(t, db, other.ID, stockbell.FlowDraft)
		restock(t, db, other.ID)

		decided, jobs := restockDuringUpdate(t, db, shop.ID, v.ID, func(beforeCommit func()) error {
			live := stockbell.DefaultFlow(shop.ID)
			live.Status = stockbell.FlowLive
			return store.UpdateFlowBeforeCommit(db, live, beforeCommit)
		})
		if decided.FlowStatus != stockbell.FlowDraft {
			t.Fatalf("the restock's decision read the flow %s, want draft", decided.FlowStatus)
		}
		jobs.want(t, v.ID, 2, "the restock's, decided on the draft, and the flow's")
		jobs.want(t, otherSub.VariantID, 0, "the other shop's flow is still in draft")
		wantUntouched(t, db, other.ID, otherSub)
	})
}

// restockDuringUpdate restocks the shop's variant "v1" to 3 and reads its
// restock state as the restock's decision would, while update stores a
// change to the shop's settings: on PostgreSQL both in beforeCommit, the
// restock committing after the update's own reads; on SQLite, which
// writes one transaction at a time, the restock commits before the update
// and the read alone races it. It returns the state read and the stock
// jobs queued from the restock on.
func restockDuringUpdate(t *testing.T, db *store.DB, shopID, variantID int64, update func(beforeCommit func()) error) (
	*stockbell.RestockState, jobsQueued) {
	t.Helper()
	jobs := jobsQueued{before: stockJobs(t, db)}
	if db.Dialect != store.Postgres {
		restock(t, db, shopID)
	}
	var decided *stockbell.RestockState
	must(t, update(func() {
		if db.Dialect == store.Postgres {
			restock(t, db, shopID)
		}
		var err error
		decided, err = db.FindRestockState(ctx, shopID, variantID)
		must(t, err)
	}))
	if decided.Variant.Stock != 3 {
		t.Fatalf("the restock's decision read stock %d, want 3", decided.Variant.Stock)
	}
	jobs.after = stockJobs(t, db)
	return decided, jobs
}

// jobsQueued is the count of stock jobs per variant before and after.
type jobsQueued struct{ before, after map[int64]int }

// want fails unless the variant gained n stock jobs, for the reason given.
func (j jobsQueued) want(t *testing.T, variantID int64, n int, why string) {
	t.Helper()
	if got := j.after[variantID] - j.before[variantID]; got != n {
		t.Fatalf("variant %d: %d more stock jobs, want %d: %s (jobs %v, before %v)", variantID, got, n, why, j.after, j.before)
	}
}

// restock brings the shop's variant "v1" to 3 units.
func restock(t *testing.T, db *store.DB, shopID int64) {
	t.Helper()
	apply(t, db, stockbell.StockChange{ShopID: shopID, VariantPlatformID: "v1", LocationID: "paris", Available: 3,
		At: db.Clock.Now()})
}

// setMinimum stores the shop's minimum inventory.
func setMinimum(t *testing.T, db *store.DB, shopID int64, minimum int) {
	t.Helper()
	_, err := db.UpdateSettings(ctx, shopID, stockbell.SettingsUpdate{MinInventory: ptr(minimum)})
	must(t, err)
}

// setFlow stores the shop's default flow with the status.
func setFlow(t *testing.T, db *store.DB, shopID int64, status stockbell.FlowStatus) {
	t.Helper()
	flow := stockbell.DefaultFlow(shopID)
	flow.Status = status
	must(t, db.UpdateFlow(ctx, flow))
}
