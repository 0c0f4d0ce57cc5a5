package restock_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/restock"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// state builds a restock state: a tracked, published variant of an
// installed shop with queued subscribers and a live flow.
func state(stock, minInv, perUnit int, mods ...func(*stockbell.RestockState)) stockbell.RestockState {
	s := stockbell.RestockState{ShopActive: true, HasQueued: true, FlowStatus: stockbell.FlowLive,
		Settings: stockbell.RestockSettings{MinInventory: minInv, PerUnit: perUnit, Wait: time.Hour}}
	s.Variant.ID, s.Variant.Stock, s.Variant.Tracked, s.Variant.Published = 1, stock, true, true
	s.Variant.InventoryPolicy = stockbell.InventoryDeny
	for _, m := range mods {
		m(&s)
	}
	return s
}

func waitingUntil(t time.Time) func(*stockbell.RestockState) {
	return func(s *stockbell.RestockState) { s.WaitingUntil = &t }
}

func TestDecide(t *testing.T) {
	until := t0.Add(30 * time.Minute)
	stockChange := restock.Trigger{}
	waitEnd := restock.Trigger{WaitEnded: true, Until: until}
	cases := []struct {
		name    string
		state   stockbell.RestockState
		now     time.Time
		trigger restock.Trigger
		want    restock.Decision
	}{
		{"20 units x 5 = oldest 100", state(20, 1, 5), t0, stockChange,
			restock.Decision{Action: restock.ActBatch, Size: 100, Stock: 20, PerUnit: 5, Wait: time.Hour}},
		{"per unit unset notifies everyone", state(3, 1, 0), t0, stockChange,
			restock.Decision{Action: restock.ActBatch, Everyone: true, Stock: 3}},
		{"below the minimum", state(4, 5, 1), t0, stockChange,
			restock.Decision{Action: restock.ActSkip, Reason: stockbell.SkipBelowMinimum, Stock: 4}},
		{"sold out decides nothing", state(0, 1, 1), t0, stockChange,
			restock.Decision{Action: restock.ActNone}},
		{"nobody queued", state(9, 1, 1, func(s *stockbell.RestockState) { s.HasQueued = false }), t0, stockChange,
			restock.Decision{Action: restock.ActNone, Stock: 9}},
		{"restock inside the waiting period", state(50, 1, 1, waitingUntil(until)), t0, stockChange,
			restock.Decision{Action: restock.ActSkip, Reason: stockbell.SkipWaitingPeriod, Stock: 50}},
		{"an expired period no longer holds", state(2, 1, 1, waitingUntil(until)), until, stockChange,
			restock.Decision{Action: restock.ActBatch, Size: 2, Stock: 2, PerUnit: 1, Wait: time.Hour}},
		{"untracked counts as available", state(0, 5, 3, func(s *stockbell.RestockState) { s.Variant.Tracked = false }), t0, stockChange,
			restock.Decision{Action: restock.ActBatch, Everyone: true, PerUnit: 3}},
		{"continue selling counts as available", state(-2, 5, 3, func(s *stockbell.RestockState) { s.Variant.InventoryPolicy = stockbell.InventoryContinue }), t0, stockChange,
			restock.Decision{Action: restock.ActBatch, Everyone: true, Stock: -2, PerUnit: 3}},
		{"unpublished product", state(9, 1, 1, func(s *stockbell.RestockState) { s.Variant.Published = false }), t0, stockChange,
			restock.Decision{Action: restock.ActSkip, Reason: stockbell.SkipProductHidden, Stock: 9}},
		{"deleted product", state(9, 1, 1, func(s *stockbell.RestockState) { s.Variant.Deleted = true }), t0, stockChange,
			restock.Decision{Action: restock.ActSkip, Reason: stockbell.SkipProductDeleted, Stock: 9}},
		{"variant deleted from its product", state(9, 1, 1, func(s *stockbell.RestockState) { s.Variant.VariantDeleted = true }), t0, stockChange,
			restock.Decision{Action: restock.ActSkip, Reason: stockbell.SkipVariantDeleted, Stock: 9}},
		{"uninstalled shop", state(9, 1, 1, func(s *stockbell.RestockState) { s.ShopActive = false }), t0, stockChange,
			restock.Decision{Action: restock.ActSkip, Reason: stockbell.SkipShopUninstalled, Stock: 9}},
		{"draft flow", state(9, 1, 1, func(s *stockbell.RestockState) { s.FlowStatus = stockbell.FlowDraft }), t0, stockChange,
			restock.Decision{Action: restock.ActSkip, Reason: stockbell.SkipFlowDraft, Stock: 9}},
		{"manual flow still batches", state(9, 1, 0, func(s *stockbell.RestockState) { s.FlowStatus = stockbell.FlowManual }), t0, stockChange,
			restock.Decision{Action: restock.ActBatch, Everyone: true, Stock: 9}},
		{"period end: recount sized from current stock", state(4, 3, 2, waitingUntil(until)), until, waitEnd,
			restock.Decision{Action: restock.ActBatch, Size: 8, Stock: 4, PerUnit: 2, Wait: time.Hour}},
		{"period end below the minimum ends the waiting period", state(2, 3, 2, waitingUntil(until)), until, waitEnd,
			restock.Decision{Action: restock.ActEndWait, Reason: stockbell.SkipBelowMinimum, Stock: 2}},
		{"period end sold out again ends the waiting period", state(0, 3, 2, waitingUntil(until)), until, waitEnd,
			restock.Decision{Action: restock.ActEndWait, Reason: stockbell.SkipSoldOutAgain}},
		{"period end oversold ends the waiting period", state(-1, 1, 2, waitingUntil(until)), until, waitEnd,
			restock.Decision{Action: restock.ActEndWait, Reason: stockbell.SkipSoldOutAgain, Stock: -1}},
		{"period end with nobody queued", state(9, 1, 2, waitingUntil(until), func(s *stockbell.RestockState) { s.HasQueued = false }), until, waitEnd,
			restock.Decision{Action: restock.ActEndWait, Stock: 9}},
		{"period end of an unpublished product", state(9, 1, 2, waitingUntil(until), func(s *stockbell.RestockState) { s.Variant.Published = false }), until, waitEnd,
			restock.Decision{Action: restock.ActEndWait, Reason: stockbell.SkipProductHidden, Stock: 9}},
		{"stale period end", state(9, 1, 2, waitingUntil(until.Add(time.Hour))), until, waitEnd,
			restock.Decision{Action: restock.ActNone, Stock: 9}},
		{"period end job before its time", state(9, 1, 2, waitingUntil(until)), until.Add(-time.Second), waitEnd,
			restock.Decision{Action: restock.ActNone, Stock: 9}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := restock.Decide(c.state, c.now, c.trigger); got != c.want {
				t.Fatalf("Decide = %+v\n           want %+v", got, c.want)
			}
		})
	}
}

func TestSkipMessage(t *testing.T) {
	recent := t0.Add(-90 * time.Minute)
	delivery := func(mods ...func(*stockbell.MessageDelivery)) *stockbell.MessageDelivery {
		d := &stockbell.MessageDelivery{StepFound: true, Step: stockbell.FlowStep{Channel: stockbell.ChannelEmail}}
		d.Shop.Status, d.Subscription.Status = stockbell.ShopInstalled, stockbell.SubscriptionNotified
		d.Variant.Published, d.Variant.Tracked, d.Variant.Stock = true, true, 0
		d.LastSentToRecipient = &recent
		for _, m := range mods {
			m(d)
		}
		return d
	}
	cases := []struct {
		name   string
		d      *stockbell.MessageDelivery
		reason stockbell.SkipReason
		stop   bool
	}{
		{"sends by default, even sold out and recently messaged", delivery(), "", false},
		{"skip if out of stock again", delivery(func(d *stockbell.MessageDelivery) { d.Step.SkipIfOutOfStock = true }), stockbell.SkipOutOfStockAgain, false},
		{"in stock passes the check", delivery(func(d *stockbell.MessageDelivery) { d.Step.SkipIfOutOfStock, d.Variant.Stock = true, 1 }), "", false},
		{"smart sending within its window", delivery(func(d *stockbell.MessageDelivery) { d.Step.SmartSendingHours = 2 }), stockbell.SkipSmartSending, false},
		{"smart sending past its window", delivery(func(d *stockbell.MessageDelivery) { d.Step.SmartSendingHours = 1 }), "", false},
		{"unsubscribed", delivery(func(d *stockbell.MessageDelivery) { d.Subscription.Status = stockbell.SubscriptionUnsubscribed }), stockbell.SkipUnsubscribed, true},
		{"a text after its number replied STOP", delivery(func(d *stockbell.MessageDelivery) {
			d.Message.Channel, d.Subscription.Channels = stockbell.ChannelSMS, stockbell.Channels{stockbell.ChannelEmail}
		}), stockbell.SkipUnsubscribed, false},
		{"a text to a number still subscribed", delivery(func(d *stockbell.MessageDelivery) {
			d.Message.Channel, d.Subscription.Channels = stockbell.ChannelSMS, stockbell.Channels{stockbell.ChannelEmail, stockbell.ChannelSMS}
		}), "", false},
		{"uninstalled shop", delivery(func(d *stockbell.MessageDelivery) { d.Shop.Status = stockbell.ShopUninstalled }), stockbell.SkipShopUninstalled, true},
		{"step removed from the flow", delivery(func(d *stockbell.MessageDelivery) { d.StepFound = false }), stockbell.SkipStepRemoved, true},
		{"product deleted since", delivery(func(d *stockbell.MessageDelivery) { d.Variant.Deleted = true }), stockbell.SkipProductDeleted, true},
		{"variant deleted since", delivery(func(d *stockbell.MessageDelivery) { d.Variant.VariantDeleted = true }), stockbell.SkipVariantDeleted, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reason, stop := restock.SkipMessage(c.d, t0)
			if reason != c.reason || stop != c.stop {
				t.Fatalf("SkipMessage = %q, %v; want %q, %v", reason, stop, c.reason, c.stop)
			}
		})
	}
}
