package restock_test

import (
	"context"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// alertOnlyInStock is a flow whose alert goes out half an hour after the
// restock and only while the item is in stock, with a reminder a day later.
func (h *harness) alertOnlyInStock() {
	h.flow(stockbell.FlowLive,
		stockbell.FlowStep{Channel: stockbell.ChannelEmail, Delay: 30 * time.Minute, SkipIfOutOfStock: true},
		stockbell.FlowStep{Channel: stockbell.ChannelEmail, Delay: 24 * time.Hour})
}

// TestAlertSkippedAsSoldOutKeepsThePlace: a shopper whose alert is skipped
// because the item sold out again before it went out was told nothing: they
// go back in the queue in their place, are not counted notified, get no
// later step, and are the first the next restock notifies, once.
func TestAlertSkippedAsSoldOutKeepsThePlace(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 1, time.Hour)
		h.alertOnlyInStock()
		v := h.variant("v1")
		subs := h.subscribe(v, 5, "k")
		h.stock("v1", "warehouse", 2)
		h.run()
		h.clock.Add(time.Second)
		h.stock("v1", "warehouse", 0) // sold out before the alerts are due
		h.clock.Add(30 * time.Minute)
		h.run()

		if got := h.sender.recipients(); len(got) != 0 {
			t.Fatalf("sent %v, want nothing: the item sold out again", got)
		}
		if got := h.subscribers(v, stockbell.SubscriptionQueued); !slices.Equal(got, subs) {
			t.Fatalf("queued %v, want all %v in their places", got, subs)
		}
		if n := h.count(`SELECT COUNT(*) FROM messages`); n != 0 {
			t.Fatalf("%d messages left, want none: the alerts are made afresh at the next restock, and no later step", n)
		}
		requeued := 0
		for _, e := range h.events(v, stockbell.EventSkipped) {
			if e["reason"] == string(stockbell.SkipOutOfStockAgain) && e["requeued"] == true && e["step"] == 1.0 {
				requeued++
			}
		}
		if requeued != 2 {
			t.Errorf("%d skipped events say an alert's shopper was queued again, want 2", requeued)
		}

		h.clock.Add(time.Hour) // past the wait between batches
		h.run()
		h.stock("v1", "warehouse", 1)
		h.run()
		h.clock.Add(30 * time.Minute)
		h.run()
		if got := h.sender.recipients(); !slices.Equal(got, []string{"k000@example.com"}) {
			t.Fatalf("after the next restock sent %v, want the oldest, k000, once", got)
		}
		if got := h.notified(v); !slices.Equal(got, subs[:1]) {
			t.Fatalf("notified %v, want %v", got, subs[:1])
		}
	})
}

// TestAlertSkippedAsSoldOutWhileRestocked: an alert skipped as sold out
// while the item comes back wakes the engine as its shopper is queued
// again: the restock found no one queued and started nothing.
func TestAlertSkippedAsSoldOutWhileRestocked(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.alertOnlyInStock()
		v := h.variant("v1")
		subs := h.subscribe(v, 2, "w")
		h.stock("v1", "warehouse", 2)
		h.run()
		h.clock.Add(time.Second)
		h.stock("v1", "warehouse", 0)
		h.clock.Add(30 * time.Minute)
		h.msgr.Store = &afterRead{MessageStore: h.msgr.Store, then: func() { h.stock("v1", "warehouse", 3) }}
		h.run()
		h.clock.Add(30 * time.Minute)
		h.run()
		if got := h.sender.recipients(); len(got) != 2 {
			t.Fatalf("sent %v, want both shoppers' alerts after the restock", got)
		}
		if got := h.notified(v); !slices.Equal(got, subs) {
			t.Fatalf("notified %v, want %v", got, subs)
		}
	})
}

// afterRead is the real store that runs then once, after the first
// messages it reads.
type afterRead struct {
	stockbell.MessageStore
	then func()
}

func (a *afterRead) FindMessageDeliveries(ctx context.Context, shopID int64, ids []int64) ([]*stockbell.MessageDelivery, error) {
	d, err := a.MessageStore.FindMessageDeliveries(ctx, shopID, ids)
	if then := a.then; then != nil {
		a.then = nil
		then()
	}
	return d, err
}
