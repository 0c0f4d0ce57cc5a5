package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestErasureRacingAFlowLeavesNoMessage races, round after round, a send
// step that finishes a subscriber's first message (and so writes the
// flow's next one) with the erasure of that subscriber: when both are
// done, no message of the subscription, none addressed to the subscriber
// and no event of the subscription is left, whichever committed first.
func TestErasureRacingAFlowLeavesNoMessage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "erase.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		v := variant(t, db, shop.ID, "v1")
		flow := stockbell.DefaultFlow(shop.ID)
		flow.Steps = append(flow.Steps, flow.Steps[0])
		must(t, db.UpdateFlow(ctx, flow))
		const rounds = 40
		continued := 0
		for i := range rounds {
			email := fmt.Sprintf("r%d@example.com", i)
			now := db.Clock.Now()
			sub := insertSubscription(t, db, shop.ID, v.ID, email, "", stockbell.SubscriptionNotified)
			first := sentMessage(t, db, shop.ID, sub, 1, stockbell.MessagePending, now)
			begun, err := db.AdvanceSend(ctx, shop.ID, stockbell.SendStep{Begin: first, LeaseUntil: now.Add(time.Minute)})
			must(t, err)
			if begun.Outcome != stockbell.AttemptBegun {
				t.Fatalf("round %d: beginning the first message: %v", i, begun.Outcome)
			}
			var wg sync.WaitGroup
			var sendErr, eraseErr error
			start := make(chan struct{})
			wg.Go(func() {
				<-start
				_, sendErr = db.AdvanceSend(ctx, shop.ID, stockbell.SendStep{Finished: []stockbell.MessageResult{{ShopID: shop.ID,
					MessageID: first, Status: stockbell.MessageSent, ProviderID: "provider"}}})
			})
			wg.Go(func() {
				<-start
				eraseErr = db.RedactContact(ctx, stockbell.Contact{ShopID: shop.ID, Email: email})
			})
			close(start)
			wg.Wait()
			must(t, eraseErr)
			if sendErr == nil {
				continued++
			}
			if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE subscription_id = ? OR recipient = ?`, sub, email); n != 0 {
				t.Fatalf("round %d: %d messages of the erased subscriber remain (the send step: %v)", i, n, sendErr)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM events WHERE subscription_id = ?`, sub); n != 0 {
				t.Fatalf("round %d: %d events of the erased subscription remain (the send step: %v)", i, n, sendErr)
			}
		}
		t.Logf("%d of %d send steps finished without an error", continued, rounds)
	})
}
