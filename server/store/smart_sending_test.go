package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// smartPair makes a shop with two notified subscriptions whose pending
// messages go to the same recipient, and returns the shop and messages.
func smartPair(t *testing.T, db *store.DB, domain string) (*stockbell.Shop, int64, int64) {
	t.Helper()
	shop := install(t, db, stockbell.PlatformShopify, domain)
	product(t, db, shop.ID, "p1", map[string]int{"v1": 5, "v2": 5})
	var ids [2]int64
	for i, v := range []string{"v1", "v2"} {
		sub := insertSubscription(t, db, shop.ID, variant(t, db, shop.ID, v).ID, "ann@example.com", "", stockbell.SubscriptionNotified)
		ids[i] = sentMessage(t, db, shop.ID, sub, 2, stockbell.MessagePending, db.Clock.Now())
	}
	return shop, ids[0], ids[1]
}

// smartStep leases message with a smart-sending window of 16 hours.
func smartStep(db *store.DB, message int64) stockbell.SendStep {
	now := db.Clock.Now()
	return stockbell.SendStep{Begin: message, LeaseUntil: now.Add(time.Minute), SmartSendingSince: now.Add(-16 * time.Hour)}
}

// TestSmartSendingLeaseSeesTheRecipientsOtherMessages: a message with
// smart sending on is not leased while another message to its recipient
// is being sent (AttemptLeased until that lease ends, held for the
// recipient) nor once one was sent within the window (AttemptSmartSending);
// a window that started after that send leases it. A message whose own
// lease is held is answered leased, not held for the recipient. Another shop's id leases nothing, and what
// another shop sent the recipient does not count.
func TestSmartSendingLeaseSeesTheRecipientsOtherMessages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, first, second := smartPair(t, db, "smart.myshopify.com")
		other := install(t, db, stockbell.PlatformShopify, "other.myshopify.com")
		if res, err := db.AdvanceSend(ctx, other.ID, smartStep(db, first)); err != nil || res.Outcome != stockbell.AttemptDone {
			t.Fatalf("another shop's lease: %v, %v; want done, nothing leased", res.Outcome, err)
		}
		// What another shop sent the same recipient a minute ago holds nothing back.
		product(t, db, other.ID, "p1", map[string]int{"v1": 5})
		otherSub := insertSubscription(t, db, other.ID, variant(t, db, other.ID, "v1").ID, "ann@example.com", "", stockbell.SubscriptionNotified)
		sentMessage(t, db, other.ID, otherSub, 1, stockbell.MessageSent, clock.Now().Add(-time.Minute))
		leased, err := db.AdvanceSend(ctx, shop.ID, smartStep(db, first))
		must(t, err)
		if leased.Outcome != stockbell.AttemptBegun {
			t.Fatalf("leasing the first: %v", leased.Outcome)
		}
		held, err := db.AdvanceSend(ctx, shop.ID, smartStep(db, second))
		must(t, err)
		if held.Outcome != stockbell.AttemptLeased || !held.HeldUntil.Equal(clock.Now().Add(time.Minute)) || !held.HeldForRecipient {
			t.Fatalf("leasing the second while the first is sent: %+v; want leased for the recipient until the first's lease ends", held)
		}
		again, err := db.AdvanceSend(ctx, shop.ID, smartStep(db, first))
		must(t, err)
		if again.Outcome != stockbell.AttemptLeased || again.HeldForRecipient {
			t.Fatalf("leasing the first again while it is sent: %+v; want leased by its own lease", again)
		}
		_, err = db.FinishMessage(ctx, stockbell.MessageResult{ShopID: shop.ID, MessageID: first, Status: stockbell.MessageSent, Attempt: leased.Attempt})
		must(t, err)
		clock.Add(time.Hour)
		skipped, err := db.AdvanceSend(ctx, shop.ID, smartStep(db, second))
		must(t, err)
		if skipped.Outcome != stockbell.AttemptSmartSending {
			t.Fatalf("leasing the second an hour after the first was sent: %v, want smart sending", skipped.Outcome)
		}
		clock.Add(16 * time.Hour)
		begun, err := db.AdvanceSend(ctx, shop.ID, smartStep(db, second))
		must(t, err)
		if begun.Outcome != stockbell.AttemptBegun {
			t.Fatalf("leasing the second after the window: %v, want begun", begun.Outcome)
		}
	})
}

// TestSmartSendingLeasesWaitForEachOther: on PostgreSQL, two leases of
// messages to one recipient taken at the same moment wait for each other
// (the recipient's lock), so the second sees the first's lease: one is
// begun, the other answered leased.
func TestSmartSendingLeasesWaitForEachOther(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	useClock(db)
	shop, first, second := smartPair(t, db, "together.myshopify.com")
	holder, err := db.DB.BeginTx(ctx, nil)
	must(t, err)
	defer holder.Rollback()
	_, err = holder.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2::bigint::text || ':' || $3))`,
		store.SmartSendingLockClass, shop.ID, "x")
	must(t, err)
	results := make(chan stockbell.AttemptOutcome, 2)
	for _, m := range []int64{first, second} {
		go func() {
			res, err := db.AdvanceSend(ctx, shop.ID, smartStep(db, m))
			if err != nil {
				t.Error(err)
			}
			results <- res.Outcome
		}()
	}
	for waiting := 0; waiting < 2; {
		if len(results) > 0 {
			t.Fatal("a lease went ahead while the recipient's lock was held")
		}
		must(t, db.DB.GetContext(ctx, &waiting, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND objsubid = 2 AND classid::bigint = $1`, int64(store.SmartSendingLockClass)))
		time.Sleep(10 * time.Millisecond) // polls the lock table until both leases wait
	}
	must(t, holder.Commit())
	outcomes := map[stockbell.AttemptOutcome]int{<-results: 1}
	outcomes[<-results]++
	if outcomes[stockbell.AttemptBegun] != 1 || outcomes[stockbell.AttemptLeased] != 1 {
		t.Fatalf("outcomes %v, want one begun and one leased", outcomes)
	}
}
