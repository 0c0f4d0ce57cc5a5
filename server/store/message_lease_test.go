package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAttemptThatOutlivedItsLease: an attempt whose lease ran out and was
// taken over by another attempt can neither end the other's lease (a
// third attempt would send beside it) nor record a failure over it; the
// attempt holding the lease records its outcome. A sent outcome is
// recorded whoever sends it: the provider accepted the message, and the
// database knowing it stops any further send.
func TestAttemptThatOutlivedItsLease(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "lease.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		v := variant(t, db, shop.ID, "v1")
		sub := insertSubscription(t, db, shop.ID, v.ID, "ana@example.com", "", stockbell.SubscriptionNotified)
		msg := sentMessage(t, db, shop.ID, sub, 1, stockbell.MessagePending, clock.Now())
		const lease = 25 * time.Second
		begin := func() stockbell.SendStepResult {
			res, err := db.AdvanceSend(ctx, shop.ID, stockbell.SendStep{Begin: msg, LeaseUntil: clock.Now().Add(lease)})
			must(t, err)
			return res
		}
		advance := func(step stockbell.SendStep) {
			_, err := db.AdvanceSend(ctx, shop.ID, step)
			must(t, err)
		}

		first := begin()
		clock.Add(lease + time.Second) // the first attempt stalls past its lease
		second := begin()
		if first.Outcome != stockbell.AttemptBegun || second.Outcome != stockbell.AttemptResumed || first.Attempt != 1 || second.Attempt != 2 {
			t.Fatalf("first attempt %+v, second %+v; want begun as 1, resumed as 2", first, second)
		}
		if first.Channel != stockbell.ChannelEmail || second.Channel != stockbell.ChannelEmail {
			t.Fatalf("the attempts leased an email as %q and %q", first.Channel, second.Channel)
		}
		advance(stockbell.SendStep{Released: []stockbell.AttemptRelease{{MessageID: msg, Reason: "timeout", Attempt: first.Attempt}}})
		if third := begin(); third.Outcome != stockbell.AttemptLeased {
			t.Fatalf("after the first attempt's late release a third attempt was %v, want leased by the second", third.Outcome)
		}
		advance(stockbell.SendStep{Finished: []stockbell.MessageResult{{MessageID: msg, Status: stockbell.MessageFailed,
			Reason: "550 refused", StopFlow: true, Attempt: first.Attempt}}})
		if status := messageStatus(t, db, msg); status != stockbell.MessagePending {
			t.Fatalf("the first attempt's late failure made the message %s, want it still pending", status)
		}
		advance(stockbell.SendStep{Finished: []stockbell.MessageResult{{MessageID: msg, Status: stockbell.MessageSent,
			ProviderID: "second", StopFlow: true, Attempt: second.Attempt}}})
		if status := messageStatus(t, db, msg); status != stockbell.MessageSent {
			t.Fatalf("the second attempt's sent outcome made the message %s", status)
		}

		late := sentMessage(t, db, shop.ID, insertSubscription(t, db, shop.ID, v.ID, "bo@example.com", "", stockbell.SubscriptionNotified),
			2, stockbell.MessagePending, clock.Now())
		msg = late
		stale := begin()
		clock.Add(lease + time.Second)
		begin()
		advance(stockbell.SendStep{Finished: []stockbell.MessageResult{{MessageID: late, Status: stockbell.MessageSent,
			ProviderID: "first", StopFlow: true, Attempt: stale.Attempt}}})
		if status := messageStatus(t, db, late); status != stockbell.MessageSent {
			t.Fatalf("a late sent outcome made the message %s, want sent", status)
		}
	})
}

func messageStatus(t *testing.T, db *store.DB, id int64) stockbell.MessageStatus {
	t.Helper()
	var status stockbell.MessageStatus
	must(t, db.DB.GetContext(ctx, &status, db.DB.Rebind(`SELECT status FROM messages WHERE id = ?`), id))
	return status
}
