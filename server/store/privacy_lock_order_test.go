package store_test

import (
	"fmt"
	"sync"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestEraseLocksTheSubscriptionFirst: on PostgreSQL an erasure waits for a
// transaction holding one of the contact's subscriptions, as a link's or a
// reply's confirmation holds it before it locks and updates its
// confirmation, without having touched the confirmation: that transaction
// then updates the confirmation while the erasure waits. Had the erasure
// deleted the confirmation first, the two would each wait for the other,
// and PostgreSQL would abort one as a deadlock.
func TestEraseLocksTheSubscriptionFirst(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	fx := newOptinFixture(t, db)
	sub := fx.subscribe(t, db, "", usMobile)
	c := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS)
	must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, c.ID, "Reply YES"))

	confirming := beginFirstToDeadlock(t, db)
	_, err := confirming.Exec(`SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE`, sub.ID)
	must(t, err)

	done := make(chan error, 1)
	go func() { done <- db.RedactContact(ctx, stockbell.Contact{ShopID: fx.shop.ID, Phone: usMobile}) }()
	waitForLockWaiters(t, db, 1)
	if _, err := confirming.Exec(`UPDATE confirmations SET confirmed_at = now(), method = 'reply' WHERE id = $1`, c.ID); err != nil {
		t.Fatalf("the confirmation's update, with the erasure waiting for the subscription: %v", err)
	}
	must(t, confirming.Commit())
	must(t, <-done)
	assertContactErased(t, db, sub.ID, usMobile)
}

// TestEraseLocksTheMessagesBeforeTheSubscription: on PostgreSQL an
// erasure waits for a send step holding one of the contact's messages, as
// the step holds it (its outcome written) before it takes the
// subscription's key-share lock for the flow's next message: the step
// then takes that lock while the erasure waits. Had the erasure locked
// the subscription before the messages, the two would each wait for the
// other.
func TestEraseLocksTheMessagesBeforeTheSubscription(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	shop := install(t, db, stockbell.PlatformShopify, "erase.myshopify.com")
	product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
	v := variant(t, db, shop.ID, "v1")
	const email = "shopper@example.com"
	sub := insertSubscription(t, db, shop.ID, v.ID, email, "", stockbell.SubscriptionNotified)
	message := sentMessage(t, db, shop.ID, sub, 1, stockbell.MessagePending, db.Clock.Now())

	sending := beginFirstToDeadlock(t, db)
	_, err := sending.Exec(`UPDATE messages SET status = 'sent', sent_at = now() WHERE id = $1`, message)
	must(t, err)

	done := make(chan error, 1)
	go func() { done <- db.RedactContact(ctx, stockbell.Contact{ShopID: shop.ID, Email: email}) }()
	waitForLockWaiters(t, db, 1)
	if _, err := sending.Exec(`SELECT id FROM subscriptions WHERE id = $1 FOR KEY SHARE`, sub); err != nil {
		t.Fatalf("the send step's lock of the subscription, with the erasure waiting for the message: %v", err)
	}
	must(t, sending.Commit())
	must(t, <-done)
	assertContactErased(t, db, sub, email)
}

// TestEraseAndSendAgainAtOnce: on PostgreSQL the erasure of a contact and
// the merchant's "Send the confirmation again" of its failed request, run
// at the same time over and over, are neither aborted as a deadlock: the
// erasure always succeeds, the resend either queues its request or finds
// the subscription gone, and nothing of the contact is left.
func TestEraseAndSendAgainAtOnce(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	fx := newOptinFixture(t, db)
	on := true
	_, err := db.UpdateSettings(ctx, fx.shop.ID, stockbell.SettingsUpdate{EmailDoubleOptIn: &on})
	must(t, err)
	for i := range 60 {
		email := fmt.Sprintf("shopper%d@example.com", i)
		sub := fx.subscribe(t, db, email, "")
		c := confirmationOf(t, db, sub.ID, stockbell.ChannelEmail)
		must(t, db.MarkConfirmationFailed(ctx, fx.shop.ID, c.ID, "refused"))
		var wg sync.WaitGroup
		var eraseErr, resendErr error
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			eraseErr = db.RedactContact(ctx, stockbell.Contact{ShopID: fx.shop.ID, Email: email})
		})
		wg.Go(func() {
			<-start
			_, resendErr = db.SendConfirmationAgain(ctx, fx.shop.ID, sub.ID)
		})
		close(start)
		wg.Wait()
		if eraseErr != nil {
			t.Fatalf("round %d, erase: %v", i, eraseErr)
		}
		if resendErr != nil && stockbell.ErrorCode(resendErr) != stockbell.ENOTFOUND {
			t.Fatalf("round %d, send again: %v", i, resendErr)
		}
		assertContactErased(t, db, sub.ID, email)
	}
}

// assertContactErased fails unless no subscription, confirmation, message
// or event of the subscription, and none addressed to the contact, is left.
func assertContactErased(t *testing.T, db *store.DB, subID int64, recipient string) {
	t.Helper()
	for _, q := range []struct {
		query string
		args  []any
	}{
		{`SELECT COUNT(*) FROM subscriptions WHERE id = ? OR email = ? OR phone = ?`, []any{subID, recipient, recipient}},
		{`SELECT COUNT(*) FROM confirmations WHERE subscription_id = ? OR recipient = ?`, []any{subID, recipient}},
		{`SELECT COUNT(*) FROM messages WHERE subscription_id = ? OR recipient = ?`, []any{subID, recipient}},
		{`SELECT COUNT(*) FROM events WHERE subscription_id = ?`, []any{subID}},
	} {
		if n := count(t, db, q.query, q.args...); n != 0 {
			t.Fatalf("%d rows of the erased contact remain: %s", n, q.query)
		}
	}
}

// TestEraseLocksMessagesInIDOrder: on PostgreSQL an erasure locks the
// contact's messages in id order, as StopSMS, an approval of a batch and
// Unsubscribe lock several messages, whatever order its delete finds them
// in. The lower id's row is moved past the higher's in the table, as an
// approval's update of a held message moves it (a new version of the row,
// in every index of messages_status's column), so that a delete locking
// rows as it finds them takes the higher id first. A transaction of the
// test holds the lower id, as StopSMS would, and the erasure waits for it;
// the test's transaction then takes the higher id: had the erasure locked
// it already, each would wait for the other and PostgreSQL would abort
// one as a deadlock.
func TestEraseLocksMessagesInIDOrder(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	shop := install(t, db, stockbell.PlatformShopify, "erase.myshopify.com")
	product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
	v := variant(t, db, shop.ID, "v1")
	const email = "shopper@example.com"
	sub := insertSubscription(t, db, shop.ID, v.ID, email, "", stockbell.SubscriptionNotified)
	low := sentMessage(t, db, shop.ID, sub, 1, stockbell.MessageHeld, db.Clock.Now())
	high := sentMessage(t, db, shop.ID, sub, 2, stockbell.MessagePending, db.Clock.Now())
	_, err := db.DB.Exec(`UPDATE messages SET status = 'pending' WHERE id = $1`, low)
	must(t, err)
	var scanned []int64
	must(t, db.DB.Select(&scanned, `SELECT id FROM messages WHERE subscription_id = $1 ORDER BY ctid`, sub))
	if len(scanned) != 2 || scanned[0] != high {
		t.Fatalf("the table holds the messages in the order %v, want %d first", scanned, high)
	}

	stopping := beginFirstToDeadlock(t, db)
	_, err = stopping.Exec(`SELECT id FROM messages WHERE id = $1 FOR UPDATE`, low)
	must(t, err)

	done := make(chan error, 1)
	go func() { done <- db.RedactContact(ctx, stockbell.Contact{ShopID: shop.ID, Email: email}) }()
	waitForLockWaiters(t, db, 1)
	if _, err := stopping.Exec(`SELECT id FROM messages WHERE id = $1 FOR UPDATE`, high); err != nil {
		t.Fatalf("the second message's lock, with the erasure waiting for the first: %v", err)
	}
	must(t, stopping.Commit())
	must(t, <-done)
	assertContactErased(t, db, sub, email)
}
