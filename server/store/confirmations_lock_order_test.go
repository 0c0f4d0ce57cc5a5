package store_test

import (
	"fmt"
	"sync"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestConfirmLocksTheSubscriptionFirst: on PostgreSQL a link's or a
// reply's confirmation waits for a transaction holding the subscription,
// as "Send the confirmation again" and a repeat sign-up hold it before
// they update its confirmations, without having locked the confirmation:
// that transaction then takes the confirmation's row while the
// confirmation waits. Had the confirmation been locked first, the two
// would each wait for the other, and PostgreSQL would abort one as a
// deadlock.
func TestConfirmLocksTheSubscriptionFirst(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	fx := newOptinFixture(t, db)
	ways := []struct {
		name, phone string
		confirm     func(c stockbell.Confirmation) error
	}{
		{"link", usMobile, func(c stockbell.Confirmation) error {
			_, err := db.Confirm(ctx, fx.shop.ID, c.ID, stockbell.ConfirmedByLink)
			return err
		}},
		{"reply", deMobile, func(c stockbell.Confirmation) error {
			n, err := db.ConfirmReply(ctx, c.Recipient)
			if err == nil && n != 1 {
				err = fmt.Errorf("the reply confirmed %d, want 1", n)
			}
			return err
		}},
	}
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			sub := fx.subscribe(t, db, "", way.phone)
			c := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS)
			must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, c.ID, "Reply YES"))

			resend := beginFirstToDeadlock(t, db)
			_, err := resend.Exec(`SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE`, sub.ID)
			must(t, err)

			done := make(chan error, 1)
			go func() { done <- way.confirm(c) }()
			waitForLockWaiters(t, db, 1)
			if _, err := resend.Exec(`UPDATE confirmations SET requested_at = requested_at WHERE id = $1`, c.ID); err != nil {
				t.Fatalf("the resend's update of the confirmation, with the confirmation waiting for the subscription: %v", err)
			}
			must(t, resend.Commit())
			must(t, <-done)
			if got := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS); got.ConfirmedAt == nil {
				t.Fatalf("the confirmation was not recorded: %+v", got)
			}
		})
	}
}

// TestConfirmAndSendAgainAtOnce: on PostgreSQL a link's confirmation and
// the merchant's "Send the confirmation again" of the same failed request,
// run at the same time over and over, both succeed: neither is aborted as
// a deadlock.
func TestConfirmAndSendAgainAtOnce(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	fx := newOptinFixture(t, db)
	on := true
	_, err := db.UpdateSettings(ctx, fx.shop.ID, stockbell.SettingsUpdate{EmailDoubleOptIn: &on})
	must(t, err)
	for i := range 60 {
		sub := fx.subscribe(t, db, fmt.Sprintf("shopper%d@example.com", i), "")
		c := confirmationOf(t, db, sub.ID, stockbell.ChannelEmail)
		must(t, db.MarkConfirmationFailed(ctx, fx.shop.ID, c.ID, "refused"))
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, errs[0] = db.Confirm(ctx, fx.shop.ID, c.ID, stockbell.ConfirmedByLink)
		}()
		go func() {
			defer wg.Done()
			<-start
			_, errs[1] = db.SendConfirmationAgain(ctx, fx.shop.ID, sub.ID)
		}()
		close(start)
		wg.Wait()
		for j, err := range errs {
			if err != nil {
				t.Fatalf("round %d, %s: %v", i, []string{"confirm", "send again"}[j], err)
			}
		}
	}
}
