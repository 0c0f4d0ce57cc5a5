package restock_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

func (h *harness) messages(status stockbell.MessageStatus) []*stockbell.Message {
	msgs, _, err := h.db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &h.shop.ID, Status: &status, Limit: 1000})
	h.must(err)
	return msgs
}

// TestManualFlow holds messages for the merchant: approved ones are sent,
// discarded ones never are; their shoppers are held, not notified, until
// then.
func TestManualFlow(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.flow(stockbell.FlowManual)
		v := h.variant("v1")
		h.subscribe(v, 3, "m")
		h.stock("v1", "warehouse", 5)
		h.run()
		held := h.messages(stockbell.MessageHeld)
		if len(held) != 3 || len(h.sender.recipients()) != 0 || len(h.subscribers(v, stockbell.SubscriptionHeld)) != 3 || len(h.notified(v)) != 0 {
			t.Fatalf("held %d, sent %d, notified %d: a manual flow must hold every message", len(held), len(h.sender.recipients()), len(h.notified(v)))
		}
		h.must(h.db.ApproveMessage(ctx, h.shop.ID, held[0].ID))
		h.must(h.db.DiscardMessage(ctx, h.shop.ID, held[1].ID))
		if err := h.db.ApproveMessage(ctx, h.shop.ID, held[1].ID); stockbell.ErrorCode(err) != stockbell.ECONFLICT {
			t.Fatalf("approving a discarded message: %v, want conflict", err)
		}
		if err := h.db.ApproveMessage(ctx, h.shop.ID+1, held[2].ID); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("approving another shop's message: %v, want not found", err)
		}
		h.run()
		if got := h.sender.recipients(); len(got) != 1 || got[0] != held[0].Recipient {
			t.Fatalf("sent to %v, want only the approved %s", got, held[0].Recipient)
		}
		if n := len(h.messages(stockbell.MessageHeld)); n != 1 {
			t.Fatalf("%d still held, want 1", n)
		}
		if len(h.notified(v)) != 1 || len(h.subscribers(v, stockbell.SubscriptionDiscarded)) != 1 || len(h.subscribers(v, stockbell.SubscriptionHeld)) != 1 {
			t.Fatalf("notified %v, discarded %v, held %v: want one of each", h.notified(v), h.subscribers(v, stockbell.SubscriptionDiscarded),
				h.subscribers(v, stockbell.SubscriptionHeld))
		}
	})
}

// TestReminderFlow: email now, a reminder a day later that is skipped when
// the variant sold out again.
func TestReminderFlow(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		flow, err := stockbell.FlowFromTemplate(h.shop.ID, stockbell.TemplateEmailReminder)
		h.must(err)
		h.must(h.db.UpdateFlow(ctx, flow))
		v := h.variant("v1")
		h.subscribe(v, 2, "r")
		h.stock("v1", "warehouse", 5)
		h.run()
		if n := len(h.sender.recipients()); n != 2 {
			t.Fatalf("first step sent %d, want 2", n)
		}
		h.clock.Add(23 * time.Hour)
		h.run()
		if n := len(h.sender.recipients()); n != 2 {
			t.Fatalf("the reminder went early: %d sent", n)
		}
		h.clock.Add(time.Hour)
		h.run()
		if n := len(h.sender.recipients()); n != 4 {
			t.Fatalf("after a day %d sent, want 4", n)
		}

		h.subscribe(v, 1, "late") // queued, as if subscribed before a sell-out
		h.stock("v1", "warehouse", 0)
		h.clock.Add(time.Second) // platform times are whole seconds
		h.stock("v1", "warehouse", 1)
		h.run()
		h.clock.Add(time.Second)
		h.stock("v1", "warehouse", 0) // sold out again before the reminder
		h.clock.Add(25 * time.Hour)
		h.run()
		skipped := h.messages(stockbell.MessageSkipped)
		if len(skipped) != 1 || skipped[0].Error != string(stockbell.SkipOutOfStockAgain) || skipped[0].Step != 2 {
			t.Fatalf("skipped = %+v, want the late reminder skipped as out of stock", skipped)
		}
		if n := len(h.sender.recipients()); n != 5 {
			t.Fatalf("%d sent, want 5", n)
		}
	})
}

// TestMessageRules: an unsubscribed subscriber is skipped, a rejected
// recipient fails for good (and the flow goes on), a transient failure is
// retried, an SMS step skips subscribers without a phone, and smart sending
// skips a contact messaged within its window.
func TestMessageRules(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		alert := stockbell.FlowStep{Channel: stockbell.ChannelEmail}
		sms := stockbell.FlowStep{Channel: stockbell.ChannelSMS, Delay: time.Hour}
		smart := stockbell.FlowStep{Channel: stockbell.ChannelEmail, Delay: time.Hour, SmartSendingHours: 3}
		h.flow(stockbell.FlowLive, alert, sms, smart)
		metrics := &countingMetrics{}
		h.msgr.Metrics = metrics
		v := h.variant("v1")
		subs := h.subscribe(v, 3, "x") // x000 is rejected, x001 unsubscribes, x002 gets through
		h.sender.reject["x000@example.com"] = true
		h.sender.failTimes = 1
		h.allowFailures = 1
		h.stock("v1", "warehouse", 5)
		h.runUntilSends()
		h.must(h.db.Unsubscribe(ctx, h.shop.ID, subs[1])) // after the claim, before the send
		h.run()
		h.clock.Add(2 * time.Hour)
		h.run()

		want := map[string]string{ // recipient/step -> status:error
			"x000/1": "failed:", "x000/2": "skipped:no_contact_for_channel", "x000/3": "failed:",
			"x001/1": "skipped:unsubscribed",
			"x002/1": "sent:", "x002/2": "skipped:no_contact_for_channel", "x002/3": "skipped:smart_sending",
		}
		got := map[string]string{}
		for _, status := range []stockbell.MessageStatus{stockbell.MessageSent, stockbell.MessageFailed, stockbell.MessageSkipped, stockbell.MessagePending} {
			for _, m := range h.messages(status) {
				var sub stockbell.Subscription
				h.must(h.db.DB.GetContext(ctx, &sub.Email, h.db.DB.Rebind(`SELECT email FROM subscriptions WHERE id = ?`), m.SubscriptionID))
				errText := m.Error
				if status == stockbell.MessageFailed {
					errText = "" // the provider's words
				}
				got[fmt.Sprintf("%s/%d", sub.Email[:4], m.Step)] = string(m.Status) + ":" + errText
			}
		}
		if !maps.Equal(got, want) {
			t.Fatalf("messages:\n got %v\nwant %v", got, want)
		}
		if r := h.sender.recipients(); len(r) != 1 || r[0] != "x002@example.com" {
			t.Fatalf("sent to %v, want x002 once", r)
		}
		if metrics.skipped[stockbell.SkipSmartSending] != 1 || metrics.skipped[stockbell.SkipUnsubscribed] != 1 {
			t.Fatalf("skips counted %v, want one smart_sending and one unsubscribed", metrics.skipped)
		}
		if n := h.count(`SELECT attempts FROM messages WHERE recipient = 'x002@example.com' AND step = 1`); n != 2 {
			t.Fatalf("x002's alert took %d attempts, want 2 (one transient failure)", n)
		}
	})
}

// TestUnsubscribedWhileTheJobSends: a subscriber who unsubscribes while
// the job carrying their alert is sending the alerts before it is not sent
// it: the job read its messages when it started, but each send is decided
// again when its message is leased.
func TestUnsubscribedWhileTheJobSends(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		subs := h.subscribe(v, 3, "q")
		unsubscribed := false
		h.msgr.Sender = sendHook{h.sender, func() {
			if !unsubscribed { // as the first alert goes out, the second subscriber leaves
				unsubscribed = true
				h.must(h.db.Unsubscribe(ctx, h.shop.ID, subs[1]))
			}
		}}
		h.stock("v1", "warehouse", 5)
		h.run()

		if got := h.sender.recipients(); !slices.Equal(got, []string{"q000@example.com", "q002@example.com"}) {
			t.Fatalf("sent to %v, want q000 and q002 only", got)
		}
		skipped := h.messages(stockbell.MessageSkipped)
		if len(skipped) != 1 || skipped[0].SubscriptionID != subs[1] || skipped[0].Error != string(stockbell.SkipUnsubscribed) {
			t.Fatalf("skipped %+v, want the unsubscribed subscriber's alert", skipped)
		}
	})
}

// sendHook runs before each send of the sender it wraps.
type sendHook struct {
	*recordingSender
	before func()
}

func (s sendHook) Send(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error) {
	s.before()
	return s.recordingSender.Send(ctx, msg)
}

// TestUninstalledBeforeSending: messages decided before the shop was
// uninstalled are skipped, not sent.
func TestUninstalledBeforeSending(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		h.subscribe(v, 2, "u")
		h.stock("v1", "warehouse", 5)
		h.runUntilSends()
		h.must(h.db.UninstallShop(ctx, h.shop.ID))
		h.run()
		skipped := h.messages(stockbell.MessageSkipped)
		if len(skipped) != 2 || skipped[0].Error != string(stockbell.SkipShopUninstalled) || len(h.sender.recipients()) != 0 {
			t.Fatalf("skipped %+v, sent %v", skipped, h.sender.recipients())
		}
	})
}

// runUntilSends runs due jobs until the next one would send a message.
func (h *harness) runUntilSends() {
	for job, ok := h.nextDueJob(); ok && job.Kind != (stockbell.SendMessageJob{}).Kind(); job, ok = h.nextDueJob() {
		h.must(h.work(job))
		h.complete(job)
	}
}

func (h *harness) complete(j queuedJob) {
	_, err := h.db.DB.ExecContext(ctx, h.db.DB.Rebind(`UPDATE river_job SET state = 'completed', finalized_at = ? WHERE id = ?`), time.Now().UTC(), j.ID)
	h.must(err)
}

// saveFailingOnce is the store whose first save of send outcomes fails
// without storing anything, as when the connection drops.
type saveFailingOnce struct {
	stockbell.MessageStore
	failed bool
}

func (s *saveFailingOnce) AdvanceSend(ctx context.Context, shopID int64, step stockbell.SendStep) (stockbell.SendStepResult, error) {
	if !s.failed && len(step.Finished) > 0 {
		s.failed = true
		return stockbell.SendStepResult{}, errors.New("connection reset by peer")
	}
	return s.MessageStore.AdvanceSend(ctx, shopID, step)
}

// TestSentOutcomeKeptWhenItsSaveFails: when recording a sent message's
// outcome fails, the run tries again before it ends, so the message is
// recorded sent and not sent a second time once its lease runs out.
func TestSentOutcomeKeptWhenItsSaveFails(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		h.subscribe(v, 3, "q")
		h.msgr.Store = &saveFailingOnce{MessageStore: h.db}
		h.allowFailures = 1 // the run whose save failed
		h.stock("v1", "warehouse", 5)
		h.run()
		h.clock.Add(time.Minute) // past any lease
		h.run()

		if got := h.sender.recipients(); !slices.Equal(got, []string{"q000@example.com", "q001@example.com", "q002@example.com"}) {
			t.Fatalf("sent to %v, want each subscriber once", got)
		}
		if sent := h.messages(stockbell.MessageSent); len(sent) != 3 {
			t.Fatalf("%d messages recorded sent, want 3", len(sent))
		}
	})
}
