package store_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// concurrentSteps runs one AdvanceSend per step at once, as the sending
// workers do (the group writer gathers them into shared transactions), and
// returns their results in the steps' order.
func concurrentSteps(t *testing.T, db *store.DB, shopID int64, steps []stockbell.SendStep) []stockbell.SendStepResult {
	t.Helper()
	results := make([]stockbell.SendStepResult, len(steps))
	errs := make([]error, len(steps))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, step := range steps {
		wg.Go(func() {
			<-start
			results[i], errs[i] = db.AdvanceSend(ctx, shopID, step)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	return results
}

// TestConcurrentSendSteps: the steps of many workers at once, gathered
// into shared transactions (on PostgreSQL one statement for a batch's
// outcomes and leases), each lease their own message, record each their
// own outcome with its event, and of steps asking for the same message
// exactly one leases it: the others find it held, and nothing is sent
// twice.
func TestConcurrentSendSteps(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "steps.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		v := variant(t, db, shop.ID, "v1")
		const workers = 40
		now := db.Clock.Now()
		subs, msgs := make([]int64, workers+1), make([]int64, workers+1)
		for i := range subs {
			subs[i] = insertSubscription(t, db, shop.ID, v.ID, fmt.Sprintf("w%d@example.com", i), "", stockbell.SubscriptionNotified)
			msgs[i] = sentMessage(t, db, shop.ID, subs[i], 1, stockbell.MessagePending, now)
		}
		lease := now.Add(time.Minute)

		begins := make([]stockbell.SendStep, workers)
		for i := range begins {
			begins[i] = stockbell.SendStep{Begin: msgs[i], LeaseUntil: lease}
		}
		for i, res := range concurrentSteps(t, db, shop.ID, begins) {
			if res.Outcome != stockbell.AttemptBegun {
				t.Errorf("worker %d beginning its own message: %v, want begun", i, res.Outcome)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE attempts = 1 AND lease_until IS NOT NULL`); n != workers {
			t.Errorf("%d messages leased once, want %d", n, workers)
		}

		finishes := make([]stockbell.SendStep, workers)
		for i := range finishes {
			finishes[i] = stockbell.SendStep{Finished: []stockbell.MessageResult{{MessageID: msgs[i], Status: stockbell.MessageSent,
				ProviderID: fmt.Sprintf("provider-%d", i), StopFlow: true}}}
		}
		concurrentSteps(t, db, shop.ID, finishes)
		for i := range finishes {
			var providerID string
			var sentAt, leaseUntil *time.Time
			must(t, db.DB.QueryRowxContext(ctx, db.DB.Rebind(`SELECT provider_id, sent_at, lease_until FROM messages WHERE id = ? AND status = ?`),
				msgs[i], stockbell.MessageSent).Scan(&providerID, &sentAt, &leaseUntil))
			if providerID != fmt.Sprintf("provider-%d", i) || sentAt == nil || leaseUntil != nil {
				t.Errorf("message %d: provider %q, sent at %v, lease %v", i, providerID, sentAt, leaseUntil)
			}
			var details []string
			must(t, db.DB.SelectContext(ctx, &details, db.DB.Rebind(`SELECT detail FROM events WHERE kind = ? AND subscription_id = ?`),
				stockbell.EventMessageSent, subs[i]))
			if len(details) != 1 {
				t.Fatalf("subscription %d has %d sent events, want 1", i, len(details))
			}
			var detail map[string]any
			must(t, json.Unmarshal([]byte(details[0]), &detail))
			if detail["message_id"] != float64(msgs[i]) || detail["channel"] != "email" || detail["step"] != float64(1) || detail["attempts"] != float64(1) {
				t.Errorf("subscription %d's sent event: %s", i, details[0])
			}
		}

		contested := make([]stockbell.SendStep, workers)
		for i := range contested {
			contested[i] = stockbell.SendStep{Begin: msgs[workers], LeaseUntil: lease}
		}
		begun := 0
		for i, res := range concurrentSteps(t, db, shop.ID, contested) {
			switch res.Outcome {
			case stockbell.AttemptBegun:
				begun++
			case stockbell.AttemptLeased:
			default:
				t.Errorf("worker %d asking for a contested message: %v, want begun or leased", i, res.Outcome)
			}
		}
		if attempts := count(t, db, `SELECT attempts FROM messages WHERE id = ?`, msgs[workers]); begun != 1 || attempts != 1 {
			t.Errorf("%d of %d workers began the same message (%d attempts), want exactly one", begun, workers, attempts)
		}
	})
}
