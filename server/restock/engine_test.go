package restock_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestTwentyUnitsTimesFive is the example merchants know: 20 units restocked
// at 5 customers per unit notify the oldest 100; the rest wait for the period.
func TestTwentyUnitsTimesFive(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 5, time.Hour)
		v := h.variant("v1")
		subs := h.subscribe(v, 130, "s")
		h.stock("v1", "warehouse", 20)
		h.run()

		if got := h.notified(v); !slices.Equal(got, subs[:100]) {
			t.Fatalf("notified %d subscribers, want the oldest 100 in order", len(got))
		}
		if n := len(h.sender.recipients()); n != 100 {
			t.Fatalf("sent %d messages, want 100", n)
		}
		batches := h.events(v, stockbell.EventBatchStarted)
		if len(batches) != 1 || batches[0]["size"] != float64(100) || batches[0]["stock"] != float64(20) || batches[0]["per_unit"] != float64(5) {
			t.Fatalf("batch_started events = %v", batches)
		}
		if until := h.waitingUntil(v); until == nil || !until.Equal(h.clock.Now().Add(time.Hour)) {
			t.Fatalf("waiting until %v, want an hour from now", until)
		}
		if n := len(h.events(v, stockbell.EventWaitStarted)); n != 1 {
			t.Fatalf("wait_started events = %d", n)
		}
	})
}

// TestWaitingPeriod: restocks during the period send nothing; at its end
// stock is counted again and the next batch sized from the current stock;
// a later end below the minimum ends the waiting period.
func TestWaitingPeriod(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(3, 2, time.Hour)
		v := h.variant("v1")
		subs := h.subscribe(v, 30, "w")
		h.stock("v1", "warehouse", 5) // 5 × 2 = 10
		h.run()
		if got := len(h.notified(v)); got != 10 {
			t.Fatalf("first batch notified %d, want 10", got)
		}

		h.clock.Add(10 * time.Minute)
		h.stock("v1", "warehouse", 50) // restock inside the waiting period
		h.run()
		if got := len(h.notified(v)); got != 10 {
			t.Fatalf("a restock during the wait notified %d more", got-10)
		}
		skips := h.events(v, stockbell.EventSkipped)
		if len(skips) != 1 || skips[0]["reason"] != string(stockbell.SkipWaitingPeriod) {
			t.Fatalf("skipped events = %v, want one waiting_period", skips)
		}

		h.clock.Add(40 * time.Minute)
		h.stock("v1", "warehouse", 4) // sales: 4 left when the period ends
		h.run()
		h.clock.Add(10 * time.Minute) // the period ends
		h.run()
		if got := h.notified(v); !slices.Equal(got, subs[:18]) {
			t.Fatalf("after the period %d notified, want the oldest 18 (10 + 4 × 2)", len(got))
		}
		batches := h.events(v, stockbell.EventBatchStarted)
		if len(batches) != 2 || batches[1]["stock"] != float64(4) || batches[1]["size"] != float64(8) {
			t.Fatalf("second batch = %v, want sized 8 from stock 4", batches)
		}
		if len(h.events(v, stockbell.EventWaitEnded)) != 1 || h.waitingUntil(v) == nil {
			t.Fatal("the period's end was not recorded or no new period started")
		}

		h.stock("v1", "warehouse", 2) // below the minimum of 3
		h.clock.Add(time.Hour)
		h.run()
		if got := len(h.notified(v)); got != 18 {
			t.Fatalf("below the minimum %d more were notified", got-18)
		}
		h.wantWaitEndedSkipped(v, stockbell.SkipBelowMinimum)

		h.stock("v1", "warehouse", 100) // the next restock starts a new waiting period
		h.run()
		if got := len(h.notified(v)); got != 30 {
			t.Fatalf("the next restock notified %d in all, want all 30", got)
		}
	})
}

// TestWaitEndedJobRunningEarly: the queue may start the job that ends a
// waiting period a moment before the period's end by the engine's clock
// (River keeps SQLite times to the millisecond, rounded; replicas' clocks
// differ from the database's). The job then runs again at the end, which
// starts the next batch, rather than doing nothing and leaving the
// variant's remaining subscribers queued until its stock changes again.
func TestWaitEndedJobRunningEarly(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 2, time.Hour)
		v := h.variant("v1")
		subs := h.subscribe(v, 6, "e")
		h.stock("v1", "warehouse", 1) // 1 × 2
		h.run()
		until := h.waitingUntil(v)
		if until == nil || len(h.notified(v)) != 2 {
			t.Fatalf("first batch: waiting until %v, %d notified; want a period and 2", until, len(h.notified(v)))
		}

		h.clock.Add(until.Sub(h.clock.Now()) - time.Millisecond)
		_, err := h.db.DB.ExecContext(ctx, h.db.DB.Rebind(`UPDATE river_job SET scheduled_at = ? WHERE kind = ? AND state = 'scheduled'`),
			h.clock.Now(), stockbell.RestockWaitEndedJob{}.Kind())
		h.must(err)
		h.run() // the queue starts the wait-ended job a millisecond early
		h.clock.Add(time.Second)
		h.run()

		if got := h.notified(v); !slices.Equal(got, subs[:4]) {
			t.Fatalf("after the period %d notified, want the oldest 4 (2 + 1 × 2)", len(got))
		}
	})
}

// TestStockRules covers availability: the minimum, the sum over locations,
// untracked and continue-selling variants, hidden and deleted products,
// uninstalled shops and flows in draft.
func TestStockRules(t *testing.T) {
	cases := []struct {
		name     string
		minInv   int
		apply    func(h *harness)
		notified int
		reason   stockbell.SkipReason
	}{
		{"below the minimum", 5, func(h *harness) { h.stock("v1", "warehouse", 4) }, 0, stockbell.SkipBelowMinimum},
		{"locations add up to the minimum", 5, func(h *harness) { h.stock("v1", "warehouse", 3); h.stock("v1", "pos", 2) }, 12, ""},
		{"untracked", 5, func(h *harness) { h.upsert(true, false, stockbell.InventoryDeny) }, 12, ""},
		{"continue selling", 5, func(h *harness) { h.upsert(true, true, stockbell.InventoryContinue) }, 12, ""},
		{"unpublished product", 1, func(h *harness) { h.upsert(false, true, stockbell.InventoryDeny); h.stock("v1", "warehouse", 9) }, 0, stockbell.SkipProductHidden},
		{"deleted product", 1, func(h *harness) {
			h.must(h.db.DeleteProduct(ctx, h.shop.ID, "p-v1"))
			h.stock("v1", "warehouse", 9)
		}, 0, stockbell.SkipProductDeleted},
		{"variant deleted from its product", 1, func(h *harness) {
			_, err := h.db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: h.shop.ID, PlatformID: "p-v1", Title: "Lamp v1",
				Published: true, AllVariants: true, Variants: []stockbell.VariantUpsert{{PlatformID: "v2", Tracked: true}}})
			h.must(err)
			h.stock("v1", "warehouse", 9)
		}, 0, stockbell.SkipVariantDeleted},
		{"uninstalled shop", 1, func(h *harness) { h.must(h.db.UninstallShop(ctx, h.shop.ID)); h.stock("v1", "warehouse", 9) }, 0, stockbell.SkipShopUninstalled},
		{"draft flow", 1, func(h *harness) { h.flow(stockbell.FlowDraft); h.stock("v1", "warehouse", 9) }, 0, stockbell.SkipFlowDraft},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runBoth(t, func(t *testing.T, h *harness) {
				h.settings(c.minInv, 0, time.Hour)
				v := h.variant("v1")
				h.subscribe(v, 12, "r")
				h.run()
				c.apply(h)
				h.run()
				if got := len(h.notified(v)); got != c.notified {
					t.Fatalf("notified %d, want %d", got, c.notified)
				}
				skips := h.events(v, stockbell.EventSkipped)
				if c.reason != "" && (len(skips) == 0 || skips[len(skips)-1]["reason"] != string(c.reason)) {
					t.Fatalf("skipped events = %v, want reason %s", skips, c.reason)
				}
				if c.reason == "" && len(skips) != 0 {
					t.Fatalf("unexpected skipped events %v", skips)
				}
			})
		})
	}
}

// upsert rewrites variant v1's product with the given flags and stock 0.
func (h *harness) upsert(published, tracked bool, policy stockbell.InventoryPolicy) {
	_, err := h.db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: h.shop.ID, PlatformID: "p-v1", Title: "Lamp v1",
		Published: published, UpdatedAt: h.clock.Now(), Variants: []stockbell.VariantUpsert{{PlatformID: "v1",
			InventoryItemID: "inv-v1", Tracked: tracked, InventoryPolicy: policy}}})
	h.must(err)
}

// flow stores the default flow with a status.
func (h *harness) flow(status stockbell.FlowStatus, steps ...stockbell.FlowStep) {
	flow := stockbell.DefaultFlow(h.shop.ID)
	flow.Status = status
	if len(steps) > 0 {
		flow.Steps = steps
	}
	h.must(h.db.UpdateFlow(ctx, flow))
}

// TestLateAndDuplicateStockUpdates: an update older than the stored level
// or a repeat of it changes nothing, and a duplicated job notifies no one twice.
func TestLateAndDuplicateStockUpdates(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 1, time.Hour)
		v := h.variant("v1")
		h.subscribe(v, 10, "d")
		h.stock("v1", "warehouse", 3)
		at := h.clock.Now()
		h.run()
		if got := len(h.notified(v)); got != 3 {
			t.Fatalf("notified %d, want 3", got)
		}
		late, err := h.db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: h.shop.ID, VariantPlatformID: "v1",
			LocationID: "warehouse", Available: 9, At: at.Add(-time.Minute)})
		h.must(err)
		dup, err := h.db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: h.shop.ID, VariantPlatformID: "v1",
			LocationID: "warehouse", Available: 3, At: at})
		h.must(err)
		if late.Applied || dup.Applied {
			t.Fatalf("late applied=%v duplicate applied=%v", late.Applied, dup.Applied)
		}
		// A job delivered twice (at-least-once queue) decides again: the
		// waiting period holds it.
		h.must(h.engine.HandleStockChanged(ctx, stockbell.VariantStockChangedJob{VariantID: v}))
		h.must(h.engine.HandleStockChanged(ctx, stockbell.VariantStockChangedJob{VariantID: v}))
		h.run()
		if got := len(h.notified(v)); got != 3 {
			t.Fatalf("late and duplicate updates notified %d in all, want 3", got)
		}
		if n := h.count(`SELECT COUNT(*) FROM messages`); n != 3 {
			t.Fatalf("%d messages, want 3", n)
		}
	})
}

// TestVariantIsolationAndOneCountPerSubscriber: a restock of A never
// touches B, and a subscriber with email and SMS counts once.
func TestVariantIsolationAndOneCountPerSubscriber(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 1, time.Hour)
		a, b := h.variant("a"), h.variant("b")
		both, _, err := h.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: a,
			Email: "both@example.com", Phone: "+447400123456", SMSConsent: true,
			Channels: stockbell.Channels{stockbell.ChannelEmail, stockbell.ChannelSMS}})
		h.must(err)
		h.clock.Add(time.Second)
		h.subscribe(a, 3, "a")
		h.subscribe(b, 3, "b")
		h.stock("a", "warehouse", 2)
		h.run()
		got := h.notified(a)
		if len(got) != 2 || got[0] != both.ID {
			t.Fatalf("notified %v, want the two-channel subscriber and one more", got)
		}
		if n := len(h.notified(b)); n != 0 {
			t.Fatalf("restocking A notified %d subscribers of B", n)
		}
		if n := h.count(`SELECT COUNT(*) FROM messages WHERE subscription_id = ?`, both.ID); n != 1 {
			t.Fatalf("the two-channel subscriber got %d messages from a one-step flow", n)
		}
	})
}

// TestGoingLiveReleasesADraftFlowsSubscribers: a restock under a draft flow
// notifies no one; switching the flow to live notifies the waiting
// subscribers of the variant already in stock, without another stock change.
func TestGoingLiveReleasesADraftFlowsSubscribers(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 0, time.Hour)
		v := h.variant("v1")
		h.subscribe(v, 3, "d")
		h.flow(stockbell.FlowDraft)
		h.stock("v1", "warehouse", 5)
		h.run()
		if got := len(h.notified(v)); got != 0 {
			t.Fatalf("a draft flow notified %d", got)
		}
		h.flow(stockbell.FlowLive)
		h.run()
		if got := len(h.notified(v)); got != 3 {
			t.Fatalf("after going live %d notified, want all 3", got)
		}
	})
}

// TestPendingSubscriberIsNotNotified: a subscriber whose text alert waits
// for confirmation (a US number) is not notified by a restock and takes no
// place in its batch: one unit goes to the confirmed subscriber behind
// them. Once they confirm they are notified, in their place, when the
// batch's wait ends.
func TestPendingSubscriberIsNotNotified(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 1, time.Hour)
		a := h.variant("a")
		pending, _, err := h.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: a,
			Phone: "+12015550123", SMSConsent: true, Channels: stockbell.Channels{stockbell.ChannelSMS}})
		h.must(err)
		if pending.Status != stockbell.SubscriptionPending {
			t.Fatalf("US SMS subscription is %s, want pending", pending.Status)
		}
		h.clock.Add(time.Second)
		confirmed := h.subscribe(a, 1, "a")[0]
		h.stock("a", "warehouse", 1)
		h.run()
		if got := h.notified(a); len(got) != 1 || got[0] != confirmed {
			t.Fatalf("notified %v, want only the confirmed subscriber %d", got, confirmed)
		}
		if n := h.count(`SELECT COUNT(*) FROM messages WHERE subscription_id = ?`, pending.ID); n != 0 {
			t.Fatalf("the pending subscriber has %d messages", n)
		}
		var id int64
		h.must(h.db.DB.GetContext(ctx, &id, h.db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ?`), pending.ID))
		_, err = h.db.Confirm(ctx, h.shop.ID, id, stockbell.ConfirmedByReply)
		h.must(err)
		h.clock.Add(2 * time.Hour)
		h.run()
		if got := h.notified(a); len(got) != 2 || got[0] != pending.ID {
			t.Fatalf("after confirming, notified %v, want the confirmed pending subscriber first", got)
		}
	})
}
