package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSendBatchLocksRequeuedVariantsInIDOrder: on PostgreSQL a group of
// send steps whose alerts were skipped as sold out again, the higher
// variant id's first, takes the key-share locks of the requeued
// subscribers' variants in id order, as stock changes take their update
// locks. A transaction of the test holds the lower id for update, as a
// stock change of both variants does, and the group waits for it; the
// test's transaction then takes the higher id: had the group locked it
// already, each would wait for the other and PostgreSQL would abort one
// as a deadlock.
func TestSendBatchLocksRequeuedVariantsInIDOrder(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	shop := install(t, db, stockbell.PlatformShopify, "requeue.myshopify.com")
	product(t, db, shop.ID, "p1", map[string]int{"a": 0, "b": 0})
	low, high := variant(t, db, shop.ID, "a"), variant(t, db, shop.ID, "b")
	if low.ID > high.ID {
		low, high = high, low
	}
	skipped := func(v *stockbell.VariantWithProduct, email string) (int64, stockbell.SendStep) {
		sub := insertSubscription(t, db, shop.ID, v.ID, email, "", stockbell.SubscriptionNotified)
		message := sentMessage(t, db, shop.ID, sub, 1, stockbell.MessagePending, db.Clock.Now())
		return sub, stockbell.SendStep{Finished: []stockbell.MessageResult{{ShopID: shop.ID, MessageID: message,
			Status: stockbell.MessageSkipped, Reason: string(stockbell.SkipOutOfStockAgain), StopFlow: true, Requeue: true}}}
	}
	highSub, highStep := skipped(high, "ann@example.com")
	lowSub, lowStep := skipped(low, "bob@example.com")

	change := beginFirstToDeadlock(t, db)
	_, err := change.Exec(`SELECT id FROM variants WHERE id = $1 FOR UPDATE`, low.ID)
	must(t, err)

	done := make(chan []error, 1)
	go func() { done <- store.AdvanceSendsInOneBatch(db, shop.ID, []stockbell.SendStep{highStep, lowStep}) }()
	waitForLockWaiters(t, db, 1)
	if _, err := change.Exec(`SELECT id FROM variants WHERE id = $1 FOR UPDATE`, high.ID); err != nil {
		t.Fatalf("the stock change's second lock, with the send steps waiting for its first: %v", err)
	}
	must(t, change.Commit())
	for i, err := range <-done {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	for _, sub := range []int64{highSub, lowSub} {
		if n := count(t, db, `SELECT COUNT(*) FROM subscriptions WHERE id = ? AND status = 'queued'`, sub); n != 1 {
			t.Errorf("subscription %d is not queued again", sub)
		}
	}
}

// TestSendBatchLocksSubscriptionsInIDOrder: on PostgreSQL a group of send
// steps whose alerts went out, the higher subscription id's first, takes
// the key-share locks of the subscriptions their flows go on from (the
// reminder's insert, continueFlow) in id order, as StopSMS and an erasure
// lock several subscriptions. A transaction of the test holds the lower
// id for update, as StopSMS does, and the group waits for it; the test's
// transaction then takes the higher id: had the group locked it already,
// each would wait for the other and PostgreSQL would abort one as a
// deadlock.
func TestSendBatchLocksSubscriptionsInIDOrder(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	shop := install(t, db, stockbell.PlatformShopify, "reminders.myshopify.com")
	flow, err := stockbell.FlowFromTemplate(shop.ID, stockbell.TemplateEmailReminder)
	must(t, err)
	must(t, db.UpdateFlow(ctx, flow))
	product(t, db, shop.ID, "p1", map[string]int{"v1": 5})
	v := variant(t, db, shop.ID, "v1")
	sent := func(email string) (int64, stockbell.SendStep) {
		sub := insertSubscription(t, db, shop.ID, v.ID, email, "", stockbell.SubscriptionNotified)
		message := sentMessage(t, db, shop.ID, sub, 1, stockbell.MessagePending, db.Clock.Now())
		return sub, stockbell.SendStep{Finished: []stockbell.MessageResult{{ShopID: shop.ID, MessageID: message,
			Status: stockbell.MessageSent, ProviderID: "provider-" + email}}}
	}
	low, lowStep := sent("ann@example.com")
	high, highStep := sent("bob@example.com")

	stopping := beginFirstToDeadlock(t, db)
	_, err = stopping.Exec(`SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE`, low)
	must(t, err)

	done := make(chan []error, 1)
	go func() { done <- store.AdvanceSendsInOneBatch(db, shop.ID, []stockbell.SendStep{highStep, lowStep}) }()
	waitForLockWaiters(t, db, 1)
	if _, err := stopping.Exec(`SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE`, high); err != nil {
		t.Fatalf("the second subscription's lock, with the send steps waiting for the first: %v", err)
	}
	must(t, stopping.Commit())
	for i, err := range <-done {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	for _, sub := range []int64{low, high} {
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE subscription_id = ? AND step = 2`, sub); n != 1 {
			t.Errorf("subscription %d has %d reminders, want 1", sub, n)
		}
	}
}
