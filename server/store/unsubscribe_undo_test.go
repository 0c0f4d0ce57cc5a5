package store_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// undoFixture is a shop with a sold-out variant and three shoppers queued
// a minute apart, the first of whom unsubscribes a minute later.
type undoFixture struct {
	db      *store.DB
	clock   *storetest.Clock
	shop    *stockbell.Shop
	variant *stockbell.VariantWithProduct
	subs    []*stockbell.Subscription // oldest first
}

func newUndoFixture(t *testing.T, db *store.DB, domain string) *undoFixture {
	t.Helper()
	fx := &undoFixture{db: db, clock: useClock(db), shop: install(t, db, stockbell.PlatformShopify, domain)}
	product(t, db, fx.shop.ID, "p1", map[string]int{"a": 0})
	fx.variant = variant(t, db, fx.shop.ID, "a")
	for _, email := range []string{"ann@example.com", "bob@example.com", "cat@example.com"} {
		sub, _ := subscribe(t, db, fx.shop.ID, fx.variant.ID, email, "")
		fx.subs = append(fx.subs, sub)
		fx.clock.Add(time.Minute)
	}
	must(t, db.Unsubscribe(ctx, fx.shop.ID, fx.subs[0].ID))
	return fx
}

// undo undoes the removals of the subscription made until now.
func (fx *undoFixture) undo(t *testing.T, id int64) stockbell.UndoResult {
	t.Helper()
	return fx.undoBy(t, id, fx.clock.Now())
}

// undoBy undoes the removal of the subscription made by unsubscribedBy.
func (fx *undoFixture) undoBy(t *testing.T, id int64, unsubscribedBy time.Time) stockbell.UndoResult {
	t.Helper()
	outcomes, err := fx.db.UndoUnsubscribe(ctx, fx.shop.ID, []int64{id}, unsubscribedBy)
	must(t, err)
	if len(outcomes) != 1 || outcomes[0].SubscriptionID != id {
		t.Fatalf("outcomes %+v, want one for %d", outcomes, id)
	}
	return outcomes[0].Result
}

func (fx *undoFixture) queue(t *testing.T) []int64 {
	t.Helper()
	queued := stockbell.SubscriptionQueued
	subs, _, err := fx.db.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &fx.shop.ID, VariantID: &fx.variant.ID, Status: &queued})
	must(t, err)
	var ids []int64
	for _, s := range subs {
		ids = append(ids, s.ID)
	}
	return ids
}

// TestUndoUnsubscribeKeepsThePlace: an undone unsubscribe puts the shopper
// back in the queue ahead of those who signed up after them, records a
// resubscribed event (no second subscribed one) and wakes the restock
// engine; undoing again restores nothing more.
func TestUndoUnsubscribeKeepsThePlace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newUndoFixture(t, db, "undo-place.myshopify.com")
		fx.clock.Add(time.Hour)
		jobs := stockJobs(t, db)[fx.variant.ID]
		if got := fx.undo(t, fx.subs[0].ID); got != stockbell.UndoRestored {
			t.Fatalf("undo = %q, want restored", got)
		}
		if want := []int64{fx.subs[0].ID, fx.subs[1].ID, fx.subs[2].ID}; !slices.Equal(fx.queue(t), want) {
			t.Errorf("queue %v, want %v: the first shopper back in their place", fx.queue(t), want)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = ?`, stockbell.EventSubscribed); n != 3 {
			t.Errorf("%d subscribed events, want 3: an undo is no sign-up", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = ? AND subscription_id = ?`, stockbell.EventResubscribed, fx.subs[0].ID); n != 1 {
			t.Errorf("%d resubscribed events, want 1", n)
		}
		if got := stockJobs(t, db)[fx.variant.ID]; got != jobs+1 {
			t.Errorf("%d stock jobs after the undo, want %d: the engine is woken", got, jobs+1)
		}
		if got := fx.undo(t, fx.subs[0].ID); got != stockbell.UndoNotUndoable {
			t.Errorf("second undo = %q, want not_undoable", got)
		}
	})
}

// TestUndoUnsubscribeRefusals: past the window, after signing up again,
// with the variant removed, or after STOP from the number, nothing is
// restored.
func TestUndoUnsubscribeRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Run("expired", func(t *testing.T) {
			fx := newUndoFixture(t, db, "undo-expired.myshopify.com")
			fx.clock.Add(stockbell.UnsubscribeUndoWindow - time.Second)
			if got := fx.undo(t, fx.subs[1].ID); got != stockbell.UndoNotUndoable {
				t.Errorf("undo of a subscription never unsubscribed = %q, want not_undoable", got)
			}
			fx.clock.Add(time.Second)
			if got := fx.undo(t, fx.subs[0].ID); got != stockbell.UndoExpired {
				t.Errorf("undo = %q, want expired", got)
			}
			if got := fx.queue(t); slices.Contains(got, fx.subs[0].ID) {
				t.Errorf("queue %v: an expired undo restored the shopper", got)
			}
		})
		t.Run("subscribed again", func(t *testing.T) {
			fx := newUndoFixture(t, db, "undo-again.myshopify.com")
			again, _ := subscribe(t, db, fx.shop.ID, fx.variant.ID, "ann@example.com", "")
			if got := fx.undo(t, fx.subs[0].ID); got != stockbell.UndoSubscribedAgain {
				t.Errorf("undo = %q, want subscribed_again", got)
			}
			if want := []int64{fx.subs[1].ID, fx.subs[2].ID, again.ID}; !slices.Equal(fx.queue(t), want) {
				t.Errorf("queue %v, want %v", fx.queue(t), want)
			}
		})
		t.Run("variant gone", func(t *testing.T) {
			fx := newUndoFixture(t, db, "undo-gone.myshopify.com")
			_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE variants SET deleted = TRUE WHERE id = ?`), fx.variant.ID)
			must(t, err)
			if got := fx.undo(t, fx.subs[0].ID); got != stockbell.UndoVariantGone {
				t.Errorf("undo = %q, want variant_gone", got)
			}
		})
		t.Run("stop", func(t *testing.T) {
			fx := newUndoFixture(t, db, "undo-stop.myshopify.com")
			both, _ := subscribe(t, db, fx.shop.ID, fx.variant.ID, "dan@example.com", "+447400123999")
			must(t, db.Unsubscribe(ctx, fx.shop.ID, both.ID))
			n, err := db.StopSMS(ctx, "+447400123999")
			must(t, err)
			if n != 0 {
				t.Errorf("STOP changed %d subscriptions, want none still texting", n)
			}
			if got := fx.undo(t, both.ID); got != stockbell.UndoNotUndoable {
				t.Errorf("undo after STOP = %q, want not_undoable: it would text the number again", got)
			}
		})
	})
}

// TestUndoUnsubscribeRestoresEachStatus: a pending and a notified
// subscription go back to their status; a held one is not restored.
func TestUndoUnsubscribeRestoresEachStatus(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newUndoFixture(t, db, "undo-status.myshopify.com")
		for _, status := range []stockbell.SubscriptionStatus{stockbell.SubscriptionPending, stockbell.SubscriptionNotified, stockbell.SubscriptionHeld} {
			id := insertSubscription(t, db, fx.shop.ID, fx.variant.ID, string(status)+"@example.com", "", status)
			must(t, db.Unsubscribe(ctx, fx.shop.ID, id))
			want, wantStatus := stockbell.UndoRestored, status
			if status == stockbell.SubscriptionHeld {
				want, wantStatus = stockbell.UndoNotUndoable, stockbell.SubscriptionUnsubscribed
			}
			if got := fx.undo(t, id); got != want {
				t.Errorf("%s: undo = %q, want %q", status, got, want)
			}
			sub, err := db.FindSubscriptionByID(ctx, fx.shop.ID, id)
			must(t, err)
			if sub.Status != wantStatus {
				t.Errorf("%s: status %q after the undo, want %q", status, sub.Status, wantStatus)
			}
		}
	})
}

// TestUndoUnsubscribeIsTheShopsOwn: another shop's id is not found, and
// restores nothing of the ids named with it.
func TestUndoUnsubscribeIsTheShopsOwn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newUndoFixture(t, db, "undo-mine.myshopify.com")
		other := newUndoFixture(t, db, "undo-theirs.myshopify.com")
		_, err := db.UndoUnsubscribe(ctx, other.shop.ID, []int64{fx.subs[0].ID}, fx.clock.Now())
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.UndoUnsubscribe(ctx, fx.shop.ID, []int64{fx.subs[0].ID, other.subs[0].ID}, fx.clock.Now())
		wantCode(t, err, stockbell.ENOTFOUND, "")
		for _, f := range []*undoFixture{fx, other} {
			if got := f.queue(t); slices.Contains(got, f.subs[0].ID) {
				t.Errorf("%s: queue %v, want the unsubscribed shopper still out", f.shop.Domain, got)
			}
		}
	})
}
