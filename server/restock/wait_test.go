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
		v, first := h.batchTakingEveryone(time.Hour)
		started := h.clock.Now()

		h.stock("v1", "warehouse", 0) // the unit sells
		fourth := h.subscribe(v, 1, "late")
		h.clock.Add(2 * time.Minute)
		h.stock("v1", "warehouse", 1)
		h.run()
		h.wantHeldByTheWait(v, first)

		h.wantNotifiedAtTheWaitsEnd(v, started.Add(time.Hour), append(first, fourth...))
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
		v, first := h.batchTakingEveryone(stockbell.MinWait)
		started := h.clock.Now()

		next := h.subscribe(v, 1, "next") // one second later: the item is in stock
		h.run()
		h.wantHeldByTheWait(v, first)
		h.wantNotifiedAtTheWaitsEnd(v, started.Add(stockbell.MinWait), append(first, next...))
	})
}

// TestWaitWithNobodyLeftJustEnds: the wait after a batch that took
// everyone ends with nobody queued: stock is counted, nobody is told, and
// the variant no longer waits.
func TestWaitWithNobodyLeftJustEnds(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v, _ := h.batchTakingEveryone(time.Hour)

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

// batchTakingEveryone restocks 1 unit of a variant at 5 customers per
// unit with 3 shoppers queued, who are all told, and checks that the batch
// started a wait of the given length all the same. It returns the variant
// and the 3 shoppers.
func (h *harness) batchTakingEveryone(wait time.Duration) (int64, []int64) {
	h.t.Helper()
	h.settings(1, 5, wait)
	v := h.variant("v1")
	first := h.subscribe(v, 3, "f")
	h.stock("v1", "warehouse", 1)
	h.run()
	if got := h.notified(v); !slices.Equal(got, first) {
		h.t.Fatalf("the batch notified %v, want the 3 queued %v", got, first)
	}
	h.wantWaitStarted(v, h.clock.Now().Add(wait))
	return v, first
}

// wantHeldByTheWait fails unless only the shoppers told notified are, and
// the one decision since was skipped for the running wait.
func (h *harness) wantHeldByTheWait(variantID int64, told []int64) {
	h.t.Helper()
	if got := h.notified(variantID); !slices.Equal(got, told) {
		h.t.Fatalf("during the wait notified %v, want only %v", got, told)
	}
	if skips := h.events(variantID, stockbell.EventSkipped); len(skips) != 1 || skips[0]["reason"] != string(stockbell.SkipWaitingPeriod) {
		h.t.Fatalf("skipped events = %v, want one waiting_period", skips)
	}
}

// wantNotifiedAtTheWaitsEnd moves the clock to the wait's end, runs what
// is due and fails unless the shoppers notified are then want.
func (h *harness) wantNotifiedAtTheWaitsEnd(variantID int64, end time.Time, want []int64) {
	h.t.Helper()
	h.clock.Add(end.Sub(h.clock.Now()))
	h.run()
	if got := h.notified(variantID); !slices.Equal(got, want) {
		h.t.Fatalf("at the wait's end notified %v, want %v", got, want)
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
