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

		h.wantCountedNotified(0)

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
		h.wantCountedNotified(1)
	})
}

// wantCountedNotified checks the shoppers the reports count notified
// today: the notified count, the day's activity, the activity records (the
// Reports page and its export) and the last batch of Products in demand.
func (h *harness) wantCountedNotified(want int) {
	h.t.Helper()
	now := h.clock.Now()
	since, until := now.Add(-24*time.Hour), now.Add(time.Hour)
	notified, _, err := h.db.CountNotifiedConverted(ctx, stockbell.ActivityFilter{ShopID: h.shop.ID, Since: since, Until: until})
	h.must(err)
	days, err := h.db.DailyActivity(ctx, h.shop.ID, since, until)
	h.must(err)
	daily, records := 0, 0
	for _, d := range days {
		daily += d.Notified
	}
	h.must(h.db.EachActivity(ctx, stockbell.ActivityFilter{ShopID: h.shop.ID, Since: since, Until: until}, func(r *stockbell.ActivityRecord) error {
		if r.Kind == stockbell.EventNotified {
			records++
		}
		return nil
	}))
	demand, _, err := h.db.FindDemand(ctx, stockbell.DemandFilter{ShopID: h.shop.ID, Limit: 10})
	h.must(err)
	if len(demand) != 1 || demand[0].LastBatch == nil {
		h.t.Fatalf("demand %+v, want the variant with its last batch", demand)
	}
	if notified != want || daily != want || records != want || demand[0].LastBatchNotified != want {
		h.t.Fatalf("counted notified %d, daily %d, activity records %d, last batch %d; want %d", notified, daily, records,
			demand[0].LastBatchNotified, want)
	}
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

// TestManualAlertSkippedAsSoldOutIsHeldInItsNewBatch: in a manual flow a
// shopper whose approved alert was skipped as sold out and who was queued
// again is held in the batch of the next restock, and notified in it when
// the merchant approves.
func TestManualAlertSkippedAsSoldOutIsHeldInItsNewBatch(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.flow(stockbell.FlowManual, stockbell.FlowStep{Channel: stockbell.ChannelEmail, SkipIfOutOfStock: true})
		v := h.variant("v1")
		h.subscribe(v, 1, "m")
		h.stock("v1", "warehouse", 2)
		h.run()
		held := h.messages(stockbell.MessageHeld)
		h.clock.Add(time.Second)
		h.stock("v1", "warehouse", 0)
		h.must(h.db.ApproveMessage(ctx, h.shop.ID, held[0].ID))
		h.run() // the approved alert is skipped: sold out

		h.clock.Add(time.Second)
		h.stock("v1", "warehouse", 2)
		h.run()
		batches, err := h.db.FindHeldBatches(ctx, h.shop.ID)
		h.must(err)
		var last int64
		h.must(h.db.DB.GetContext(ctx, &last, `SELECT MAX(id) FROM restock_batches`))
		if len(batches) != 1 || batches[0].Batch.ID != last {
			t.Fatalf("held batches %+v, want the restock's batch %d alone", batches, last)
		}
		h.must(h.db.ApproveMessage(ctx, h.shop.ID, h.messages(stockbell.MessageHeld)[0].ID))
		notified := h.events(v, stockbell.EventNotified)
		if got := notified[len(notified)-1]["batch_id"]; got != float64(last) {
			t.Fatalf("the approval's notified event names batch %v, want %d", got, last)
		}
		h.run()
		if got := h.sender.recipients(); !slices.Equal(got, []string{"m000@example.com"}) {
			t.Fatalf("sent %v, want one alert to m000", got)
		}
	})
}
