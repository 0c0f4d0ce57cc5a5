package restock_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestBatchTakingEveryoneStillWaits is Klaviyo's rule: after a batch sized
// by customers per unit the flow waits before the next batch, even when
// the batch took everyone queued. 1 unit at 5 per unit tells the 3
// waiting; the item sells, a 4th shopper signs up and a unit comes back 2
// minutes later: nobody is told until the wait ends, when stock is
// counted again and the 4th is told.
func TestBatchTakingEveryoneStillWaits(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 5, time.Hour)
		v := h.variant("v1")
		first := h.subscribe(v, 3, "f")
		h.stock("v1", "warehouse", 1)
		h.run()
		started := h.clock.Now()
		if got := h.notified(v); !slices.Equal(got, first) {
			t.Fatalf("first batch notified %v, want the 3 queued %v", got, first)
		}
		h.wantWaitStarted(v, started.Add(time.Hour))

		h.stock("v1", "warehouse", 0) // the unit sells
		fourth := h.subscribe(v, 1, "late")
		h.clock.Add(2 * time.Minute)
		h.stock("v1", "warehouse", 1)
		h.run()
		if got := len(h.notified(v)); got != 3 {
			t.Fatalf("a restock during the wait notified %d more", got-3)
		}
		skips := h.events(v, stockbell.EventSkipped)
		if len(skips) != 1 || skips[0]["reason"] != string(stockbell.SkipWaitingPeriod) {
			t.Fatalf("skipped events = %v, want one waiting_period", skips)
		}

		h.clock.Add(started.Add(time.Hour).Sub(h.clock.Now())) // the wait ends
		h.run()
		if got := h.notified(v); !slices.Equal(got, append(first, fourth...)) {
			t.Fatalf("after the wait notified %v, want the 4th shopper too", got)
		}
		if n := len(h.events(v, stockbell.EventWaitEnded)); n != 1 {
			t.Fatalf("wait_ended events = %d, want 1", n)
		}
		batches := h.events(v, stockbell.EventBatchStarted)
		if len(batches) != 2 || batches[1]["stock"] != float64(1) || batches[1]["size"] != float64(5) {
			t.Fatalf("batch_started events = %v, want a second sized 5 from stock 1", batches)
		}
	})
}

// TestSignUpInStockDuringTheWait: a shopper who signs up while the item is
// still in stock, right after a batch that took everyone, waits for the
// wait's end, then is told from stock counted again.
func TestSignUpInStockDuringTheWait(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 5, stockbell.MinWait)
		v := h.variant("v1")
		first := h.subscribe(v, 3, "f")
		h.stock("v1", "warehouse", 1)
		h.run()
		h.wantWaitStarted(v, h.clock.Now().Add(stockbell.MinWait))

		next := h.subscribe(v, 1, "next") // one second later: the item is in stock
		h.run()
		if got := len(h.notified(v)); got != len(first) {
			t.Fatalf("a sign-up during the wait was notified at once (%d notified, want %d)", got, len(first))
		}
		if skips := h.events(v, stockbell.EventSkipped); len(skips) != 1 || skips[0]["reason"] != string(stockbell.SkipWaitingPeriod) {
			t.Fatalf("skipped events = %v, want one waiting_period", skips)
		}
		h.clock.Add(stockbell.MinWait)
		h.run()
		if got := h.notified(v); !slices.Equal(got, append(first, next...)) {
			t.Fatalf("after the wait notified %v, want the sign-up too", got)
		}
	})
}

// TestWaitWithNobodyLeftJustEnds: the wait after a batch that took
// everyone ends with nobody queued: stock is counted, nobody is told, and
// the variant no longer waits.
func TestWaitWithNobodyLeftJustEnds(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 2, time.Hour)
		v := h.variant("v1")
		h.subscribe(v, 2, "n")
		h.stock("v1", "warehouse", 3)
		h.run()
		h.wantWaitStarted(v, h.clock.Now().Add(time.Hour))

		h.clock.Add(time.Hour)
		h.run()
		if until := h.waitingUntil(v); until != nil {
			t.Fatalf("still waiting until %v after the wait's end", until)
		}
		if n := len(h.events(v, stockbell.EventWaitEnded)); n != 1 {
			t.Fatalf("wait_ended events = %d, want 1", n)
		}
		if n := len(h.events(v, stockbell.EventBatchStarted)); n != 1 {
			t.Fatalf("batch_started events = %d, want the first only", n)
		}
		if n := len(h.events(v, stockbell.EventSkipped)); n != 0 {
			t.Fatalf("skipped events = %d, want none", n)
		}
	})
}

// TestEveryoneBatchesStartNoWait: a batch to everyone (customers per unit
// 0, or a variant whose stock does not limit sales) starts no wait.
func TestEveryoneBatchesStartNoWait(t *testing.T) {
	cases := []struct {
		name    string
		perUnit int
		restock func(h *harness)
	}{
		{"customers per unit 0", 0, func(h *harness) { h.stock("v1", "warehouse", 1) }},
		{"untracked", 5, func(h *harness) { h.upsert(true, false, stockbell.InventoryDeny) }},
		{"continue selling", 5, func(h *harness) { h.upsert(true, true, stockbell.InventoryContinue) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runBoth(t, func(t *testing.T, h *harness) {
				h.settings(1, c.perUnit, time.Hour)
				v := h.variant("v1")
				subs := h.subscribe(v, 12, "e")
				c.restock(h)
				h.run()
				if got := h.notified(v); !slices.Equal(got, subs) {
					t.Fatalf("notified %d, want all 12", len(got))
				}
				if until, n := h.waitingUntil(v), len(h.events(v, stockbell.EventWaitStarted)); until != nil || n != 0 {
					t.Fatalf("waiting until %v with %d wait_started events, want no wait", until, n)
				}
			})
		})
	}
}

// wantWaitStarted fails unless the variant waits until until, with one
// wait_started event saying so.
func (h *harness) wantWaitStarted(variantID int64, until time.Time) {
	h.t.Helper()
	if got := h.waitingUntil(variantID); got == nil || !got.Equal(until) {
		h.t.Fatalf("waiting until %v, want %v", got, until)
	}
	started := h.events(variantID, stockbell.EventWaitStarted)
	if len(started) != 1 || started[0]["until"] != until.Format(time.RFC3339Nano) {
		h.t.Fatalf("wait_started events = %v, want one until %v", started, until)
	}
}
