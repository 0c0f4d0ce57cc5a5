package restock_test

import (
	"context"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// stopAfterRead is the messenger's store with a number replying STOP
// right after the stopAt-th read of a send job's messages, before the job
// leases any of them: the race between a job and a STOP, made to happen.
type stopAfterRead struct {
	stockbell.MessageStore
	reads, stopAt int
	stop          func()
}

func (s *stopAfterRead) FindMessageDeliveries(ctx context.Context, shopID int64, ids []int64) ([]*stockbell.MessageDelivery, error) {
	read, err := s.MessageStore.FindMessageDeliveries(ctx, shopID, ids)
	if s.reads++; err == nil && s.reads == s.stopAt {
		s.stop()
	}
	return read, err
}

// TestStopWhileTheJobSendsAText: a send job retrying an email+SMS
// shopper's text reminder, whose first attempt reached the provider but
// ended without a result, reads it; then the number replies STOP; then the
// job takes the lease that ran out. STOP left the text to the attempt
// that was sending it, and the shopper is still notified by email; the
// lease is refused all the same, the text is recorded skipped as
// unsubscribed, not sent again, and the flow goes on by email.
func TestStopWhileTheJobSendsAText(t *testing.T) {
	const phone = "+447400123456"
	runBoth(t, func(t *testing.T, h *harness) {
		h.flow(stockbell.FlowLive, stockbell.FlowStep{Channel: stockbell.ChannelEmail},
			stockbell.FlowStep{Channel: stockbell.ChannelSMS, Delay: time.Hour},
			stockbell.FlowStep{Channel: stockbell.ChannelEmail, Delay: time.Hour})
		v := h.variant("v1")
		sub, _, err := h.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: v,
			Email: "both@example.com", Phone: phone, SMSConsent: true,
			Channels: stockbell.Channels{stockbell.ChannelEmail, stockbell.ChannelSMS}})
		h.must(err)
		h.stock("v1", "warehouse", 5)
		h.run()

		h.clock.Add(time.Hour)
		h.sender.unknownTimes, h.allowFailures = 1, 1
		// The text's first run reads, sends and loses the answer; its
		// retry reads, then STOP comes.
		h.msgr.Store = &stopAfterRead{MessageStore: h.db, stopAt: 2, stop: func() {
			_, err := h.db.StopSMS(ctx, phone)
			h.must(err)
		}}
		h.run()
		h.clock.Add(time.Hour)
		h.run()

		if got, want := h.sender.recipients(), []string{"both@example.com", phone, "both@example.com"}; !slices.Equal(got, want) {
			t.Fatalf("sent to %v, want %v: the alert, the text's lost attempt, the last email", got, want)
		}
		skipped := h.messages(stockbell.MessageSkipped)
		if len(skipped) != 1 || skipped[0].Step != 2 || skipped[0].Error != string(stockbell.SkipUnsubscribed) {
			t.Fatalf("skipped %+v, want the text reminder, as unsubscribed", skipped)
		}
		if n := h.count(`SELECT COUNT(*) FROM messages WHERE subscription_id = ? AND step = 3 AND channel = ? AND status = ?`,
			sub.ID, stockbell.ChannelEmail, stockbell.MessageSent); n != 1 {
			t.Fatalf("the email after the text was not sent")
		}
	})
}

// TestStopWhileTheJobSendsAnAlert: a send job reads an email+SMS shopper's
// text alert, then the number replies STOP, which moves the alert to the
// shopper's email; the job sends the alert by email, not the text it read.
func TestStopWhileTheJobSendsAnAlert(t *testing.T) {
	const phone = "+447400123456"
	runBoth(t, func(t *testing.T, h *harness) {
		h.flow(stockbell.FlowLive, stockbell.FlowStep{Channel: stockbell.ChannelSMS})
		v := h.variant("v1")
		_, _, err := h.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: v,
			Email: "both@example.com", Phone: phone, SMSConsent: true,
			Channels: stockbell.Channels{stockbell.ChannelEmail, stockbell.ChannelSMS}})
		h.must(err)
		h.msgr.Store = &stopAfterRead{MessageStore: h.db, stopAt: 1, stop: func() {
			_, err := h.db.StopSMS(ctx, phone)
			h.must(err)
		}}
		h.stock("v1", "warehouse", 5)
		h.run()

		if got, want := h.sender.recipients(), []string{"both@example.com"}; !slices.Equal(got, want) {
			t.Fatalf("sent to %v, want %v", got, want)
		}
	})
}
