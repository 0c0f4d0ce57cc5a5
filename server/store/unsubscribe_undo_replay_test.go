package store_test

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestUndoUnsubscribeRestoresOnlyTheRemovalNamed: an undo names the
// removal it undoes by when it was made. Undone, and the alert removed
// again later, the first removal's undo restores nothing: the later
// removal is not the one its button offered to undo.
func TestUndoUnsubscribeRestoresOnlyTheRemovalNamed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newUndoFixture(t, db, "undo-replay.myshopify.com")
		first := fx.clock.Now()
		if got := fx.undoBy(t, fx.subs[0].ID, first); got != stockbell.UndoRestored {
			t.Fatalf("undo = %q, want restored", got)
		}
		fx.clock.Add(time.Hour)
		must(t, db.Unsubscribe(ctx, fx.shop.ID, fx.subs[0].ID))
		if got := fx.undoBy(t, fx.subs[0].ID, first); got != stockbell.UndoNotUndoable {
			t.Errorf("the first removal's undo, replayed after a second removal = %q, want not_undoable", got)
		}
		if got := fx.queue(t); slices.Contains(got, fx.subs[0].ID) {
			t.Errorf("queue %v: a replayed undo restored a later removal", got)
		}
		if got := fx.undoBy(t, fx.subs[0].ID, fx.clock.Now()); got != stockbell.UndoRestored {
			t.Errorf("the second removal's own undo = %q, want restored", got)
		}
	})
}

// TestUndoUnsubscribeNeverQueuesAContactTwice: the shopper removed an
// alert, signed up for the item again and removed that sign-up too. Both
// removals' undos are offered; once one of them put the shopper back in
// the queue, the other answers subscribed_again (it used to fail on the
// queue's unique index, restoring nothing of the removal's other alerts),
// whichever comes first.
func TestUndoUnsubscribeNeverQueuesAContactTwice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, laterFirst := range []bool{false, true} {
			fx := newUndoFixture(t, db, map[bool]string{false: "undo-twice.myshopify.com", true: "undo-twice-later.myshopify.com"}[laterFirst])
			again, _ := subscribe(t, db, fx.shop.ID, fx.variant.ID, "ann@example.com", "")
			must(t, db.Unsubscribe(ctx, fx.shop.ID, again.ID))
			order := []int64{fx.subs[0].ID, again.ID}
			if laterFirst {
				slices.Reverse(order)
			}
			if got := fx.undo(t, order[0]); got != stockbell.UndoRestored {
				t.Errorf("later first %v: first undo = %q, want restored", laterFirst, got)
			}
			outcomes, err := db.UndoUnsubscribe(ctx, fx.shop.ID, []int64{order[1], fx.subs[1].ID}, fx.clock.Now())
			if err != nil {
				t.Fatalf("later first %v: second undo: %v", laterFirst, err)
			}
			if got := outcomes[slices.IndexFunc(outcomes, func(o stockbell.UndoOutcome) bool { return o.SubscriptionID == order[1] })]; got.Result != stockbell.UndoSubscribedAgain {
				t.Errorf("later first %v: second undo = %q, want subscribed_again", laterFirst, got.Result)
			}
			if want := []int64{order[0], fx.subs[1].ID, fx.subs[2].ID}; !slices.Equal(fx.queue(t), sortedIDs(want)) {
				t.Errorf("later first %v: queue %v, want %v", laterFirst, fx.queue(t), sortedIDs(want))
			}
		}
	})
}

func sortedIDs(ids []int64) []int64 { return slices.Sorted(slices.Values(ids)) }

// TestContactDataShowsAnUndoableUnsubscribe: a data request reports every
// column of the contact's subscriptions, the removal an undo could still
// restore included (when, and the status it ended); an erased contact's
// removal cannot be undone, its subscription being gone.
func TestContactDataShowsAnUndoableUnsubscribe(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newUndoFixture(t, db, "undo-data.myshopify.com")
		ann := stockbell.Contact{ShopID: fx.shop.ID, Email: "ann@example.com"}
		data, err := db.ContactData(ctx, ann)
		must(t, err)
		answer, err := json.Marshal(data.Subscriptions)
		must(t, err)
		at, _ := json.Marshal(fx.clock.Now().UTC())
		for _, want := range []string{`"unsubscribed_from":"queued"`, `"unsubscribed_at":` + string(at)} {
			if !strings.Contains(string(answer), want) {
				t.Errorf("the data request's subscriptions lack %s:\n%s", want, answer)
			}
		}
		must(t, db.RedactContact(ctx, ann))
		_, err = db.UndoUnsubscribe(ctx, fx.shop.ID, []int64{fx.subs[0].ID}, fx.clock.Now())
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

// TestUndoIsAnnouncedToWebhooks: an endpoint told of an unsubscribe
// (subscription.unsubscribed) would otherwise hold the subscriber as gone
// after an undo; one that asks for subscription.resubscribed is told of
// the undo, with the status the subscription went back to. An endpoint
// that did not ask for it is sent nothing new.
func TestUndoIsAnnouncedToWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newUndoFixture(t, db, "undo-hooks.myshopify.com")
		listening := mustEndpoint(t, db, fx.shop.ID, "subscription.unsubscribed", "subscription.resubscribed")
		mustEndpoint(t, db, fx.shop.ID, "subscription.unsubscribed")
		if got := fx.undo(t, fx.subs[0].ID); got != stockbell.UndoRestored {
			t.Fatalf("undo = %q, want restored", got)
		}
		got := deliveries(t, db)
		if len(got) != 1 || got[0]["endpoint_id"] != float64(listening.ID) || got[0]["type"] != "subscription.resubscribed" {
			t.Fatalf("deliveries after an undo: %v, want one subscription.resubscribed to endpoint %d", got, listening.ID)
		}
		data := got[0]["payload"].(map[string]any)["data"].(map[string]any)
		if data["restored_status"] != "queued" || data["subscription"].(map[string]any)["id"] != float64(fx.subs[0].ID) ||
			data["subscription"].(map[string]any)["status"] != "queued" {
			t.Errorf("payload data %v, want the subscription back as queued", data)
		}
	})
}

// TestUndoRemovalLeavesAnEarlierOneClickRemoved: the shopper's mail client
// unsubscribed one alert (one-click) after the page was read and before
// "Remove all" ended the others, whose Undo names both. The undo restores
// only what its removal ended, from its start: the one-click alert stays
// removed. Another shop's removal made the same way is untouched.
func TestUndoRemovalLeavesAnEarlierOneClickRemoved(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		other := newUndoFixture(t, db, "undo-oneclick-other.myshopify.com")
		fx := newUndoFixture(t, db, "undo-oneclick.myshopify.com") // its clock is the store's from here
		fx.clock.Add(time.Second)
		must(t, db.Unsubscribe(ctx, fx.shop.ID, fx.subs[1].ID)) // the one-click
		must(t, db.Unsubscribe(ctx, other.shop.ID, other.subs[1].ID))
		fx.clock.Add(time.Second)
		removalStarted := fx.clock.Now()
		must(t, db.Unsubscribe(ctx, fx.shop.ID, fx.subs[2].ID)) // Remove all
		must(t, db.Unsubscribe(ctx, other.shop.ID, other.subs[2].ID))
		outcomes, err := db.UndoRemoval(ctx, fx.shop.ID, []int64{fx.subs[1].ID, fx.subs[2].ID}, removalStarted, fx.clock.Now())
		must(t, err)
		want := []stockbell.UndoOutcome{{SubscriptionID: fx.subs[1].ID, Result: stockbell.UndoNotUndoable}, {SubscriptionID: fx.subs[2].ID, Result: stockbell.UndoRestored}}
		if !slices.Equal(outcomes, want) {
			t.Errorf("outcomes %+v, want %+v", outcomes, want)
		}
		if got := fx.queue(t); !slices.Equal(got, []int64{fx.subs[2].ID}) {
			t.Errorf("queue %v, want only %d: the one-click alert came back", got, fx.subs[2].ID)
		}
		if got := other.queue(t); len(got) != 0 {
			t.Errorf("the other shop's queue %v, want empty", got)
		}
	})
}

// TestUndoRemovalLeavesAOneClickDuringItRemoved: the shopper's mail
// client unsubscribed one alert (one-click) after "Remove all" started and
// before the removal reached it. EndSubscription tells the removal it
// ended only the other alert, which is all its Undo names and restores:
// the one-click alert stays removed. Another shop's alerts are neither
// ended through this shop nor restored.
func TestUndoRemovalLeavesAOneClickDuringItRemoved(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		other := newUndoFixture(t, db, "undo-during-other.myshopify.com")
		fx := newUndoFixture(t, db, "undo-during.myshopify.com") // its clock is the store's from here
		fx.clock.Add(time.Second)
		removalStarted := fx.clock.Now()
		fx.clock.Add(time.Microsecond)
		must(t, db.Unsubscribe(ctx, fx.shop.ID, fx.subs[1].ID)) // the one-click
		ended := endAll(t, db, fx.shop.ID, fx.subs[1:])         // Remove all, of the alerts it read active
		if !slices.Equal(ended, []int64{fx.subs[2].ID}) {
			t.Errorf("the removal ended %v, want only %d: the one-click ended %d first", ended, fx.subs[2].ID, fx.subs[1].ID)
		}
		if got, err := db.EndSubscription(ctx, fx.shop.ID, other.subs[1].ID); stockbell.ErrorCode(err) != stockbell.ENOTFOUND || got {
			t.Errorf("ending another shop's alert: %v, %v, want not found", got, err)
		}
		must(t, db.Unsubscribe(ctx, other.shop.ID, other.subs[1].ID))
		endAll(t, db, other.shop.ID, other.subs[2:])
		outcomes, err := db.UndoRemoval(ctx, fx.shop.ID, ended, removalStarted, fx.clock.Now())
		must(t, err)
		if want := []stockbell.UndoOutcome{{SubscriptionID: fx.subs[2].ID, Result: stockbell.UndoRestored}}; !slices.Equal(outcomes, want) {
			t.Errorf("outcomes %+v, want %+v", outcomes, want)
		}
		if got := fx.queue(t); !slices.Equal(got, []int64{fx.subs[2].ID}) {
			t.Errorf("queue %v, want only %d: the one-click alert came back", got, fx.subs[2].ID)
		}
		if got := other.queue(t); len(got) != 0 {
			t.Errorf("the other shop's queue %v, want empty", got)
		}
	})
}

// TestEndSubscriptionEndsOnce: of calls racing to end one subscription
// (a one-click and a removal on the page), exactly one is told it ended
// it, and one unsubscribed event is recorded.
func TestEndSubscriptionEndsOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newUndoFixture(t, db, "end-once.myshopify.com")
		sub := fx.subs[1]
		var wg sync.WaitGroup
		var endedBy atomic.Int32
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ended, err := db.EndSubscription(ctx, fx.shop.ID, sub.ID)
				if err != nil {
					t.Error(err)
				}
				if ended {
					endedBy.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := endedBy.Load(); n != 1 {
			t.Errorf("%d calls were told they ended the subscription, want 1", n)
		}
		var events int
		must(t, db.DB.GetContext(ctx, &events, db.DB.Rebind(`SELECT COUNT(*) FROM events WHERE subscription_id = ? AND kind = ?`),
			sub.ID, stockbell.EventUnsubscribed))
		if events != 1 {
			t.Errorf("%d unsubscribed events, want 1", events)
		}
	})
}

// endAll ends the subscriptions as a removal does, and returns the ids of
// those it ended.
func endAll(t *testing.T, db *store.DB, shopID int64, subs []*stockbell.Subscription) []int64 {
	t.Helper()
	var ended []int64
	for _, sub := range subs {
		got, err := db.EndSubscription(ctx, shopID, sub.ID)
		must(t, err)
		if got {
			ended = append(ended, sub.ID)
		}
	}
	return ended
}
