package store_test

import (
	"testing"
	"time"

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

// TestSendBatchLocksMessagesInIDOrder: on PostgreSQL a group of send
// steps locks the messages its statement writes in id order, as StopSMS
// locks a number's unsent texts and an erasure a contact's messages: two
// messages it begins, and a message it finishes and one it begins, the
// higher id's step first each time, the lower id's row moved past the
// higher's in the table. A transaction of the test holds the lower id,
// as StopSMS or an erasure does, and the group's statement waits for it;
// the test's transaction then takes the higher id: had the statement
// locked it already, each would wait for the other and PostgreSQL would
// abort one as a deadlock.
func TestSendBatchLocksMessagesInIDOrder(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	shop := install(t, db, stockbell.PlatformShopify, "leases.myshopify.com")
	product(t, db, shop.ID, "p1", map[string]int{"v1": 5})
	v := variant(t, db, shop.ID, "v1")
	lease := db.Clock.Now().Add(time.Minute)
	pending := func(email string) int64 {
		sub := insertSubscription(t, db, shop.ID, v.ID, email, "", stockbell.SubscriptionNotified)
		return sentMessage(t, db, shop.ID, sub, 1, stockbell.MessagePending, db.Clock.Now())
	}
	begin := func(id int64) stockbell.SendStep { return stockbell.SendStep{Begin: id, LeaseUntil: lease} }
	finish := func(id int64) stockbell.SendStep {
		return stockbell.SendStep{Finished: []stockbell.MessageResult{{ShopID: shop.ID, MessageID: id, Status: stockbell.MessageSent,
			ProviderID: "provider", StopFlow: true}}}
	}
	for _, way := range []struct {
		name string
		high func(int64) stockbell.SendStep
	}{{"two leases", begin}, {"an outcome and a lease", finish}} {
		t.Run(way.name, func(t *testing.T) {
			low, high := pending(way.name+"-ann@example.com"), pending(way.name+"-bob@example.com")
			moveRowPast(t, db, low, high)

			stopping := beginFirstToDeadlock(t, db)
			_, err := stopping.Exec(`SELECT id FROM messages WHERE id = $1 FOR UPDATE`, low)
			must(t, err)

			done := make(chan []error, 1)
			go func() {
				done <- store.AdvanceSendsInOneBatch(db, shop.ID, []stockbell.SendStep{way.high(high), begin(low)})
			}()
			waitForLockWaiters(t, db, 1)
			if _, err := stopping.Exec(`SELECT id FROM messages WHERE id = $1 FOR UPDATE`, high); err != nil {
				t.Fatalf("the second message's lock, with the send steps waiting for the first: %v", err)
			}
			must(t, stopping.Commit())
			for i, err := range <-done {
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND attempts = 1 AND lease_until IS NOT NULL`, low); n != 1 {
				t.Errorf("message %d was not leased", low)
			}
		})
	}
}

// moveRowPast moves the message low's row past high's in the table and
// its indexes on PostgreSQL, as an update of a column of messages_status
// moves a row (a new version of it, elsewhere): a statement that locks
// rows in the order its plan finds them then takes high first.
func moveRowPast(t *testing.T, db *store.DB, low, high int64) {
	t.Helper()
	var status string
	must(t, db.DB.Get(&status, `SELECT status FROM messages WHERE id = $1`, low))
	for _, s := range []string{"held", status} {
		_, err := db.DB.Exec(`UPDATE messages SET status = $1 WHERE id = $2`, s, low)
		must(t, err)
	}
	var order []int64
	must(t, db.DB.Select(&order, `SELECT id FROM messages WHERE id IN ($1, $2) ORDER BY ctid`, low, high))
	if len(order) != 2 || order[0] != high {
		t.Fatalf("the table holds the messages in the order %v, want %d first", order, high)
	}
}

// TestSendBatchLocksMessagesBeforeSubscriptions: on PostgreSQL a group of
// send steps takes the messages a step's function writes after the
// batch's statement (a released attempt, and the message the step then
// begins) with the statement's, before the subscriptions its outcomes
// lock, as StopSMS takes a number's texts before its subscriptions. One
// step's alert went out (its flow goes on to a reminder, under its
// subscription's key-share lock); another releases an attempt and begins
// a message. A transaction of the test holds that message, as StopSMS
// holds its texts, and the group waits for it; the test's transaction
// then takes the first step's subscription: had the group locked it
// already, each would wait for the other and PostgreSQL would abort one
// as a deadlock.
func TestSendBatchLocksMessagesBeforeSubscriptions(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	shop := install(t, db, stockbell.PlatformShopify, "releases.myshopify.com")
	flow, err := stockbell.FlowFromTemplate(shop.ID, stockbell.TemplateEmailReminder)
	must(t, err)
	must(t, db.UpdateFlow(ctx, flow))
	product(t, db, shop.ID, "p1", map[string]int{"v1": 5})
	v := variant(t, db, shop.ID, "v1")
	pending := func(email string) (int64, int64) {
		sub := insertSubscription(t, db, shop.ID, v.ID, email, "", stockbell.SubscriptionNotified)
		return sub, sentMessage(t, db, shop.ID, sub, 1, stockbell.MessagePending, db.Clock.Now())
	}
	sub, sent := pending("ann@example.com")
	_, released := pending("bob@example.com")
	_, next := pending("cy@example.com")
	steps := []stockbell.SendStep{
		{Finished: []stockbell.MessageResult{{ShopID: shop.ID, MessageID: sent, Status: stockbell.MessageSent, ProviderID: "provider"}}},
		{Released: []stockbell.AttemptRelease{{MessageID: released, Reason: "timeout"}}, Begin: next, LeaseUntil: db.Clock.Now().Add(time.Minute)},
	}

	stopping := beginFirstToDeadlock(t, db)
	_, err = stopping.Exec(`SELECT id FROM messages WHERE id = $1 FOR UPDATE`, next)
	must(t, err)

	done := make(chan []error, 1)
	go func() { done <- store.AdvanceSendsInOneBatch(db, shop.ID, steps) }()
	waitForLockWaiters(t, db, 1)
	if _, err := stopping.Exec(`SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE`, sub); err != nil {
		t.Fatalf("the subscription's lock, with the send steps waiting for the message: %v", err)
	}
	must(t, stopping.Commit())
	for i, err := range <-done {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE subscription_id = ? AND step = 2`, sub); n != 1 {
		t.Errorf("the sent alert's subscription has %d reminders, want 1", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND error = 'timeout'`, released); n != 1 {
		t.Errorf("the attempt was not released")
	}
	if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND attempts = 1 AND lease_until IS NOT NULL`, next); n != 1 {
		t.Errorf("the next message was not leased")
	}
}
