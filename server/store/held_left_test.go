package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestHeldBatchLeavesOutShoppersWhoLeft: a held shopper who unsubscribes,
// or whose data is erased, is no longer in the batch the merchant
// decides on (its list, its count, the batches counted as waiting); the
// unsubscribed shopper's held alert is skipped as unsubscribed at once,
// and approving the batch notifies, and counts, only those still held.
func TestHeldBatchLeavesOutShoppersWhoLeft(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		day := clock.Now()
		shop := manualShop(t, db, "left.myshopify.com", stockbell.TemplateEmailOnly, "v1", "v2")
		batch, subs := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com", "bea@example.com", "cy@example.com")
		_, gone := holdBatch(t, db, clock, shop.ID, "v2", "dee@example.com")
		wantHeldCount(t, db, shop.ID, 2)

		must(t, db.Unsubscribe(ctx, shop.ID, subs[1]))
		must(t, db.RedactContact(ctx, stockbell.Contact{ShopID: shop.ID, Email: "cy@example.com"}))
		must(t, db.Unsubscribe(ctx, shop.ID, gone[0]))

		held, err := db.FindHeldBatches(ctx, shop.ID)
		must(t, err)
		if len(held) != 1 || held[0].Batch.ID != batch || held[0].Held != 1 || len(held[0].Recipients) != 1 ||
			held[0].Recipients[0] != "ann@example.com" {
			t.Fatalf("held batches after two of batch %d's shoppers and the other batch's only one left: %+v", batch, held)
		}
		wantHeldCount(t, db, shop.ID, 1)
		for _, sub := range []int64{subs[1], gone[0]} {
			if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE subscription_id = ? AND status = ? AND error = ?`,
				sub, stockbell.MessageSkipped, stockbell.SkipUnsubscribed); n != 1 {
				t.Errorf("subscription %d unsubscribed: %d alerts skipped as unsubscribed, want its held alert", sub, n)
			}
		}

		sendJobs := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind()))
		n, err := db.ApproveHeldBatch(ctx, shop.ID, batch, decider)
		must(t, err)
		if sent := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind())) - sendJobs; n != 1 || sent != 1 {
			t.Errorf("approving: %d approved, %d messages queued for sending; want Ann's alert alone", n, sent)
		}
		wantSubscriptions(t, db, shop.ID, subs[:1], stockbell.SubscriptionNotified, new(clock.Now()))
		wantSubscriptions(t, db, shop.ID, subs[1:2], stockbell.SubscriptionUnsubscribed, nil)
		if got := notifiedByDay(t, db, shop.ID, day, day); got[0] != 1 {
			t.Errorf("the dashboard counts %d notified, want Ann alone", got[0])
		}
		all := stockbell.ActivityFilter{ShopID: shop.ID, Since: day.Add(-time.Hour), Until: clock.Now().Add(time.Hour)}
		if notified, _, err := db.CountNotifiedConverted(ctx, all); err != nil || notified != 1 {
			t.Errorf("reports count %d notified (%v), want Ann alone", notified, err)
		}
		wantHeldCount(t, db, shop.ID, 0)
	})
}

// TestHeldBatchDecisionIsKept: once a batch is approved or discarded, a
// second approval or discard finds nothing to do (ENOTFOUND, nothing
// queued again), and the shop's decision on it (which, when, how many
// messages) can be read; another shop reads nothing of it.
func TestHeldBatchDecisionIsKept(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := manualShop(t, db, "decided.myshopify.com", stockbell.TemplateEmailOnly, "v1", "v2")
		other := install(t, db, stockbell.PlatformShopify, "elsewhere.myshopify.com")
		approved, _ := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com", "bea@example.com")
		discarded, _ := holdBatch(t, db, clock, shop.ID, "v2", "cy@example.com")
		_, err := db.FindHeldBatchDecision(ctx, shop.ID, approved)
		wantCode(t, err, stockbell.ENOTFOUND, "")

		clock.Add(time.Hour)
		approvedAt := clock.Now()
		_, err = db.ApproveHeldBatch(ctx, shop.ID, approved, decider)
		must(t, err)
		clock.Add(time.Hour)
		discardedAt := clock.Now()
		_, err = db.DiscardHeldBatch(ctx, shop.ID, discarded, decider)
		must(t, err)
		clock.Add(time.Hour)
		sendJobs := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind()))
		for _, batch := range []int64{approved, discarded} {
			_, err = db.ApproveHeldBatch(ctx, shop.ID, batch, decider)
			wantCode(t, err, stockbell.ENOTFOUND, "")
			_, err = db.DiscardHeldBatch(ctx, shop.ID, batch, decider)
			wantCode(t, err, stockbell.ENOTFOUND, "")
		}
		if n := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind())); n != sendJobs {
			t.Errorf("deciding again queued %d more messages", n-sendJobs)
		}

		want := map[int64]stockbell.HeldBatchDecision{
			approved:  {BatchID: approved, Approved: true, Messages: 2, At: approvedAt},
			discarded: {BatchID: discarded, Approved: false, Messages: 1, At: discardedAt},
		}
		for batch, w := range want {
			d, err := db.FindHeldBatchDecision(ctx, shop.ID, batch)
			must(t, err)
			if d.BatchID != w.BatchID || d.Approved != w.Approved || d.Messages != w.Messages || !d.At.Equal(w.At) {
				t.Errorf("decision on batch %d: %+v, want %+v", batch, d, w)
			}
			_, err = db.FindHeldBatchDecision(ctx, other.ID, batch)
			wantCode(t, err, stockbell.ENOTFOUND, "")
		}
	})
}

// TestHeldBatchApprovedTwiceAtOnce: on PostgreSQL two approvals of one
// batch (a double click) both read its messages as held before either
// commits; the second waits for the first, then finds nothing left to
// approve: it answers ENOTFOUND, not a conflict, and nothing is queued
// twice.
func TestHeldBatchApprovedTwiceAtOnce(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	clock := useClock(db)
	shop := manualShop(t, db, "twice.myshopify.com", stockbell.TemplateEmailOnly, "v1")
	batch, subs := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com", "bea@example.com")
	var first int64
	must(t, db.DB.GetContext(ctx, &first, `SELECT MIN(id) FROM messages WHERE subscription_id = $1 OR subscription_id = $2`, subs[0], subs[1]))
	sendJobs := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind()))

	// A transaction of the test's holds the first message, so that both
	// approvals have read the batch and wait for it.
	lock, err := db.DB.BeginTxx(ctx, nil)
	must(t, err)
	defer lock.Rollback()
	_, err = lock.Exec(`SELECT id FROM messages WHERE id = $1 FOR UPDATE`, first)
	must(t, err)
	var wg sync.WaitGroup
	counts, errs := make([]int, 2), make([]error, 2)
	for i := range 2 {
		wg.Go(func() { counts[i], errs[i] = db.ApproveHeldBatch(ctx, shop.ID, batch, decider) })
	}
	waitForLockWaiters(t, db, 2)
	must(t, lock.Rollback())
	wg.Wait()

	approvals := 0
	for i, err := range errs {
		switch {
		case err == nil && counts[i] == 2:
			approvals++
		case stockbell.ErrorCode(err) != stockbell.ENOTFOUND:
			t.Errorf("approval %d: %d approved, %v; want the batch's 2 or ENOTFOUND", i+1, counts[i], err)
		}
	}
	if approvals != 1 {
		t.Errorf("%d approvals approved the batch, want 1 (%v)", approvals, errs)
	}
	if n := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind())) - sendJobs; n != 2 {
		t.Errorf("%d messages queued for sending, want the batch's 2 once", n)
	}
}

// TestHeldShopperRemovedLeavesTheBatch: a merchant removes a shopper held
// in a manual flow's batch (and the only shopper of another batch). They
// leave the batch as a removed queued shopper leaves the queue: cancelled,
// with a removed event naming who removed them and from which batch;
// their held alert is skipped at once. The batch lists, counts and
// approves only the shoppers still held, Products in demand counts only
// those awaiting approval, and once approved only those count as
// notified. Removing them again changes nothing.
func TestHeldShopperRemovedLeavesTheBatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		day := clock.Now()
		shop := manualShop(t, db, "removed.myshopify.com", stockbell.TemplateEmailOnly, "v1", "v2")
		batch, subs := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com", "bea@example.com", "cy@example.com")
		other, alone := holdBatch(t, db, clock, shop.ID, "v2", "dee@example.com")
		wantHeldCount(t, db, shop.ID, 2)

		by := stockbell.AdminUser{Email: "owner@example.com"}
		for _, id := range []int64{subs[1], alone[0]} {
			if was, err := db.RemoveSubscription(ctx, shop.ID, id, by); err != nil || was != stockbell.SubscriptionHeld {
				t.Fatalf("removing held subscription %d: it was %q (%v), want held", id, was, err)
			}
		}
		if was, err := db.RemoveSubscription(ctx, shop.ID, subs[1], by); err != nil || was != stockbell.SubscriptionCancelled {
			t.Fatalf("removing subscription %d again: it was %q (%v), want cancelled", subs[1], was, err)
		}

		held, err := db.FindHeldBatches(ctx, shop.ID)
		must(t, err)
		if len(held) != 1 || held[0].Batch.ID != batch || held[0].Held != 2 ||
			strings.Join(held[0].Recipients, " ") != "ann@example.com cy@example.com" {
			t.Fatalf("held batches after Bea and the other batch's only shopper were removed: %+v", held)
		}
		wantHeldCount(t, db, shop.ID, 1)
		wantSubscriptions(t, db, shop.ID, []int64{subs[1], alone[0]}, stockbell.SubscriptionCancelled, nil)
		for id, batchID := range map[int64]int64{subs[1]: batch, alone[0]: other} {
			if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE subscription_id = ? AND status = ? AND error = ?`,
				id, stockbell.MessageSkipped, stockbell.SkipRemoved); n != 1 {
				t.Errorf("subscription %d removed: %d alerts skipped as removed, want its held alert", id, n)
			}
			want := fmt.Sprintf(`{"batch_id":%d,"by":"owner@example.com","previous_status":"held","removed_by":{"email":"owner@example.com"},"user_id":""}`, batchID)
			if got := removedEvents(t, db, shop.ID, id); len(got) != 1 || got[0] != want {
				t.Errorf("subscription %d's removed events: %q, want one %s", id, got, want)
			}
		}
		demand, _, err := db.FindDemand(ctx, stockbell.DemandFilter{ShopID: shop.ID, Limit: 10})
		must(t, err)
		for _, d := range demand {
			if d.LastBatch != nil && d.LastBatch.ID == batch && d.LastBatchHeld != 2 {
				t.Errorf("Products in demand counts %d awaiting approval in batch %d, want Ann and Cy", d.LastBatchHeld, batch)
			}
		}

		n, err := db.ApproveHeldBatch(ctx, shop.ID, batch, decider)
		must(t, err)
		if n != 2 {
			t.Errorf("approving: %d approved, want Ann's and Cy's alerts", n)
		}
		_, err = db.ApproveHeldBatch(ctx, shop.ID, other, decider)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		wantSubscriptions(t, db, shop.ID, []int64{subs[0], subs[2]}, stockbell.SubscriptionNotified, new(clock.Now()))
		wantSubscriptions(t, db, shop.ID, []int64{subs[1], alone[0]}, stockbell.SubscriptionCancelled, nil)
		if got := notifiedByDay(t, db, shop.ID, day, day); got[0] != 2 {
			t.Errorf("the dashboard counts %d notified, want Ann and Cy", got[0])
		}
		all := stockbell.ActivityFilter{ShopID: shop.ID, Since: day.Add(-time.Hour), Until: clock.Now().Add(time.Hour)}
		if notified, _, err := db.CountNotifiedConverted(ctx, all); err != nil || notified != 2 {
			t.Errorf("reports count %d notified (%v), want Ann and Cy", notified, err)
		}
	})
}

// TestHeldShopperRemovedWhileApproved: on PostgreSQL a removal takes the
// held shopper's message before the subscription, as an approval does
// (message, then its subscriber). A transaction of the test holds the
// message, as an approval would, and the removal waits for it; the test's
// transaction then takes the subscription: had the removal locked the
// subscription first, each would wait for the other and PostgreSQL would
// abort one as a deadlock. Once the message is free the removal goes on.
func TestHeldShopperRemovedWhileApproved(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	clock := useClock(db)
	shop := manualShop(t, db, "locks.myshopify.com", stockbell.TemplateEmailOnly, "v1")
	_, subs := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com")
	var message int64
	must(t, db.DB.GetContext(ctx, &message, `SELECT id FROM messages WHERE subscription_id = $1`, subs[0]))

	approval := beginFirstToDeadlock(t, db)
	_, err := approval.Exec(`SELECT id FROM messages WHERE id = $1 FOR UPDATE`, message)
	must(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := db.RemoveSubscription(ctx, shop.ID, subs[0], stockbell.AdminUser{Email: "owner@example.com"})
		done <- err
	}()
	waitForLockWaiters(t, db, 1)
	if _, err := approval.Exec(`SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE`, subs[0]); err != nil {
		t.Fatalf("the approval's lock on the subscriber, with the removal waiting for the message: %v", err)
	}
	must(t, approval.Rollback())
	must(t, <-done)
	wantSubscriptions(t, db, shop.ID, subs, stockbell.SubscriptionCancelled, nil)
}

// removedEvents returns the detail of the subscription's removed events.
func removedEvents(t *testing.T, db *store.DB, shopID, subscriptionID int64) []string {
	t.Helper()
	removed := stockbell.EventRemoved
	events, _, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shopID, Kind: &removed})
	must(t, err)
	var out []string
	for _, e := range events {
		if e.SubscriptionID != nil && *e.SubscriptionID == subscriptionID {
			out = append(out, e.Detail)
		}
	}
	return out
}
