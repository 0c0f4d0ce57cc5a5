package restock_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestWaitsEndCountsStockAgain: whatever the stock did during the wait
// between batches, nobody more is told until the wait ends; then the
// stock is read as it is at that moment and the next batch is sized from
// it (stock × customers per unit, not the change since the last batch),
// or, below the minimum, the wait ends and nobody is told. The first
// batch is 3 units × 2 = the oldest 6 of 40 queued; the wait is the one a
// shop starts with.
func TestWaitsEndCountsStockAgain(t *testing.T) {
	cases := []struct {
		name     string
		min      int
		during   []int // the stock levels set during the wait, a minute apart
		atTheEnd int   // how many more are told when the wait ends
		skipped  stockbell.SkipReason
	}{
		{"rose", 1, []int{10}, 20, ""},
		{"unchanged", 1, nil, 6, ""},
		{"fell, still at the minimum", 2, []int{2}, 4, ""},
		{"fell below the minimum", 2, []int{1}, 0, stockbell.SkipBelowMinimum},
		{"sold out", 1, []int{0}, 0, stockbell.SkipSoldOutAgain},
		{"sold out, then back", 1, []int{0, 4}, 8, ""},
		{"back, then sold out", 1, []int{10, 0}, 0, stockbell.SkipSoldOutAgain},
		{"sold out with a minimum above one", 3, []int{0}, 0, stockbell.SkipSoldOutAgain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runBoth(t, func(t *testing.T, h *harness) {
				h.rules(c.min, 2)
				v := h.variant("v1")
				subs := h.subscribe(v, 40, "w")
				h.stock("v1", "warehouse", 3)
				h.run()
				end := h.clock.Now().Add(shippedWait)
				if got := h.notified(v); !slices.Equal(got, subs[:6]) {
					t.Fatalf("the first batch notified %d, want the oldest 6", len(got))
				}
				for _, stock := range c.during {
					h.clock.Add(time.Minute)
					h.stock("v1", "warehouse", stock)
					h.run()
				}
				if got := len(h.notified(v)); got != 6 {
					t.Fatalf("during the wait %d more were told", got-6)
				}
				h.wantNotifiedAtTheWaitsEnd(v, end, subs[:6+c.atTheEnd])
				if c.atTheEnd == 0 {
					h.wantWaitEndedSkipped(v, c.skipped)
					return
				}
				stock := c.atTheEnd / 2
				batches := h.events(v, stockbell.EventBatchStarted)
				if len(batches) != 2 || batches[1]["stock"] != float64(stock) || batches[1]["size"] != float64(c.atTheEnd) {
					t.Fatalf("batch_started events = %v, want a second sized %d from stock %d", batches, c.atTheEnd, stock)
				}
				if until := h.waitingUntil(v); until == nil || !until.Equal(end.Add(shippedWait)) {
					t.Fatalf("after the second batch waiting until %v, want a new wait until %v", until, end.Add(shippedWait))
				}
			})
		})
	}
}

// TestBatchesFollowEachWaitWhileStockLasts: with 1 unit in stock that
// never sells and 5 customers per unit, the 12 queued (one by SMS) are
// told 5, 5 and 2, oldest first, one batch per wait; the wait after the
// last batch ends with nobody left.
func TestBatchesFollowEachWaitWhileStockLasts(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.rules(1, 5)
		v := h.variant("v1")
		subs := h.subscribe(v, 6, "a")
		subs = append(subs, h.subscribeBySMS(v, "+447400123456"))
		subs = append(subs, h.subscribe(v, 5, "b")...)
		h.stock("v1", "warehouse", 1)
		h.run()
		start := h.clock.Now()
		for i, told := range []int{5, 10, 12} {
			h.wantNotifiedAtTheWaitsEnd(v, start.Add(time.Duration(i)*shippedWait), subs[:told])
		}
		h.wantNotifiedAtTheWaitsEnd(v, start.Add(3*shippedWait), subs)
		if until := h.waitingUntil(v); until != nil {
			t.Fatalf("still waiting until %v with nobody left", until)
		}
		if n, ended := len(h.events(v, stockbell.EventBatchStarted)), len(h.events(v, stockbell.EventWaitEnded)); n != 3 || ended != 3 {
			t.Fatalf("%d batches and %d waits ended, want 3 of each", n, ended)
		}
		if sent := h.sender.recipients(); len(sent) != 12 || sent[6] != "+447400123456" {
			t.Fatalf("sent %v, want 12 alerts, the 7th by SMS", sent)
		}
	})
}

// shippedWait is the wait between batches a shop starts with.
var shippedWait = stockbell.DefaultRestockSettings(0).Wait

// rules sets the shop's minimum inventory and customers per unit, leaving
// the wait between batches as the shop started with it.
func (h *harness) rules(minInventory, perUnit int) {
	h.t.Helper()
	s, err := h.db.UpdateSettings(ctx, h.shop.ID, stockbell.SettingsUpdate{MinInventory: &minInventory, PerUnit: &perUnit})
	h.must(err)
	if s.Wait != time.Hour {
		h.t.Fatalf("a shop starts with a wait of %v, want 1h", s.Wait)
	}
}

// subscribeBySMS queues a subscriber by SMS alone (a number that needs no
// confirmation) and returns their subscription's id.
func (h *harness) subscribeBySMS(variantID int64, phone string) int64 {
	h.t.Helper()
	sub, _, err := h.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: variantID,
		Phone: phone, SMSConsent: true, Channels: stockbell.Channels{stockbell.ChannelSMS}})
	h.must(err)
	if sub.Status != stockbell.SubscriptionQueued {
		h.t.Fatalf("the SMS subscription to %s is %s, want queued", phone, sub.Status)
	}
	h.clock.Add(time.Second)
	return sub.ID
}

// wantWaitEndedSkipped fails unless the variant no longer waits and the
// wait's end was recorded as skipped for the reason: below_minimum while
// some stock is left, sold_out_again when none is.
func (h *harness) wantWaitEndedSkipped(variantID int64, reason stockbell.SkipReason) {
	h.t.Helper()
	if until := h.waitingUntil(variantID); until != nil {
		h.t.Fatalf("still waiting until %v", until)
	}
	ended := slices.ContainsFunc(h.events(variantID, stockbell.EventSkipped), func(e map[string]any) bool {
		return e["reason"] == string(reason) && e["wait_ended"] == true
	})
	if !ended {
		h.t.Fatalf("no %s event ended the wait: %v", reason, h.events(variantID, stockbell.EventSkipped))
	}
}
