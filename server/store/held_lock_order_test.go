package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestApprovalLocksMessagesThenSubscribers: on PostgreSQL a batch's
// approval locks all its messages, in id order, before their subscribers,
// as StopSMS, a send step and an erasure do. A number's STOP may lock the
// batch's second message (its text) and the first message's subscriber
// (an alert by email to a subscriber who also gave that number) and not
// the first message. A transaction of the test holds the second message,
// as STOP does, and the approval waits for it; the test's transaction then
// takes the first subscriber: had the approval already updated it (the
// first message, then its subscriber, then the second message), each
// would wait for the other and PostgreSQL would abort one as a deadlock.
func TestApprovalLocksMessagesThenSubscribers(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	clock := useClock(db)
	shop := manualShop(t, db, "approval.myshopify.com", stockbell.TemplateEmailOnly, "v1")
	batch, subs := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com", "bob@example.com")
	messages := make([]int64, len(subs))
	for i, sub := range subs {
		must(t, db.DB.GetContext(ctx, &messages[i], `SELECT id FROM messages WHERE subscription_id = $1`, sub))
	}
	if messages[0] > messages[1] {
		t.Fatalf("the first subscriber's message %d comes after the second's %d", messages[0], messages[1])
	}

	stop := beginFirstToDeadlock(t, db)
	_, err := stop.Exec(`SELECT id FROM messages WHERE id = $1 FOR UPDATE`, messages[1])
	must(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := db.ApproveHeldBatch(ctx, shop.ID, batch, decider)
		done <- err
	}()
	waitForLockWaiters(t, db, 1)
	if _, err := stop.Exec(`SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE`, subs[0]); err != nil {
		t.Fatalf("STOP's lock on the first subscriber, with the approval waiting for the second message: %v", err)
	}
	must(t, stop.Commit())
	must(t, <-done)
	approved := clock.Now()
	wantSubscriptions(t, db, shop.ID, subs, stockbell.SubscriptionNotified, &approved)
}
