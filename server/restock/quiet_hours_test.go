package restock_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/restock"
)

const (
	newYorkPhone = "+12125550123"
	parisPhone   = "+33612345678"
)

// at moves the harness clock forward to the next hh:00 UTC.
func (h *harness) at(hour int) time.Time {
	now := h.clock.Now()
	next := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC)
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	h.clock.Add(next.Sub(now))
	return next
}

// textSubscriber queues a subscriber of the variant by text (and email
// if asked), confirmed by a reply where the number's country asks for it.
func (h *harness) textSubscriber(variantID int64, phone string, channels ...stockbell.Channel) {
	email := ""
	if slices.Contains(channels, stockbell.ChannelEmail) {
		email = "both@example.com"
	}
	sub, _, err := h.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: variantID,
		Phone: phone, Email: email, SMSConsent: true, Channels: channels})
	h.must(err)
	var ids []int64
	h.must(h.db.DB.SelectContext(ctx, &ids, h.db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ?`), sub.ID))
	for _, id := range ids {
		_, err = h.db.Confirm(ctx, h.shop.ID, id, stockbell.ConfirmedByReply)
		h.must(err)
	}
}

// parisMorning is 09:00 in Paris on the day after t (UTC).
func parisMorning(t time.Time) time.Time {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	local := t.In(paris)
	return time.Date(local.Year(), local.Month(), local.Day()+1, 9, 0, 0, 0, paris).UTC()
}

// TestQuietHoursHoldATextUntilTheRecipientsMorning: at 23:00 UTC, with
// the default quiet hours (21:00–09:00), a New York number (evening
// there) is texted at once and a Paris number (night there) is not: its
// text stays pending, its job put off to 09:00 in Paris, and goes then,
// once, by a messenger started afresh (a restart in the night).
func TestQuietHoursHoldATextUntilTheRecipientsMorning(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		metrics := &countingMetrics{}
		h.msgr.Metrics = metrics
		h.quietHours(true)
		h.flow(stockbell.FlowLive, stockbell.FlowStep{Channel: stockbell.ChannelSMS})
		night := h.at(23)
		v := h.variant("v1")
		h.textSubscriber(v, newYorkPhone, stockbell.ChannelSMS)
		h.textSubscriber(v, parisPhone, stockbell.ChannelSMS)
		h.stock("v1", "warehouse", 5)
		h.run()
		if got, want := h.sender.recipients(), []string{newYorkPhone}; !slices.Equal(got, want) {
			t.Fatalf("at 23:00 UTC sent to %v, want %v", got, want)
		}
		if pending := h.messages(stockbell.MessagePending); len(pending) != 1 || pending[0].Recipient != parisPhone {
			t.Fatalf("pending %+v, want the Paris text", pending)
		}
		if metrics.quietHeld != 1 {
			t.Fatalf("%d texts counted held for quiet hours, want 1", metrics.quietHeld)
		}

		morning := parisMorning(night)
		h.clock.Add(morning.Add(-time.Minute).Sub(h.clock.Now()))
		h.run()
		if got := h.sender.recipients(); len(got) != 1 || len(h.messages(stockbell.MessagePending)) != 1 {
			t.Fatalf("a minute before the Paris morning sent to %v, want the Paris text still pending", got)
		}
		h.msgr = &restock.Messenger{Store: h.db, Renderer: plainRenderer{}, Sender: h.sender, Clock: h.clock}
		h.clock.Add(time.Minute)
		h.run()
		h.clock.Add(24 * time.Hour)
		h.run()
		if got, want := h.sender.recipients(), []string{newYorkPhone, parisPhone}; !slices.Equal(got, want) {
			t.Fatalf("sent to %v, want %v: the Paris text once, at 09:00 in Paris", got, want)
		}
		if n := len(h.messages(stockbell.MessageSent)); n != 2 {
			t.Fatalf("%d messages recorded sent, want 2", n)
		}
	})
}

// TestQuietHoursHoldNoEmail: in an email-then-text flow started at 22:00
// UTC, the email goes at once to a Paris shopper and the text an hour
// later is held until 09:00 in Paris.
func TestQuietHoursHoldNoEmail(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.quietHours(true)
		h.flow(stockbell.FlowLive, stockbell.FlowStep{Channel: stockbell.ChannelEmail},
			stockbell.FlowStep{Channel: stockbell.ChannelSMS, Delay: time.Hour})
		night := h.at(22)
		v := h.variant("v1")
		h.textSubscriber(v, parisPhone, stockbell.ChannelEmail, stockbell.ChannelSMS)
		h.stock("v1", "warehouse", 5)
		h.run()
		if got, want := h.sender.recipients(), []string{"both@example.com"}; !slices.Equal(got, want) {
			t.Fatalf("at 22:00 UTC sent to %v, want the email alert only", got)
		}
		h.clock.Add(time.Hour)
		h.run()
		if got := h.sender.recipients(); len(got) != 1 {
			t.Fatalf("at 23:00 UTC sent to %v, want the text held", got)
		}
		h.clock.Add(parisMorning(night).Sub(h.clock.Now()))
		h.run()
		if got, want := h.sender.recipients(), []string{"both@example.com", parisPhone}; !slices.Equal(got, want) {
			t.Fatalf("sent to %v, want %v", got, want)
		}
	})
}

// TestQuietHoursOffSendsAtOnce: a shop that turned quiet hours off has a
// Paris number texted at 23:00 UTC.
func TestQuietHoursOffSendsAtOnce(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.quietHours(false)
		h.flow(stockbell.FlowLive, stockbell.FlowStep{Channel: stockbell.ChannelSMS})
		h.at(23)
		v := h.variant("v1")
		h.textSubscriber(v, parisPhone, stockbell.ChannelSMS)
		h.stock("v1", "warehouse", 5)
		h.run()
		if got, want := h.sender.recipients(), []string{parisPhone}; !slices.Equal(got, want) {
			t.Fatalf("sent to %v, want %v", got, want)
		}
	})
}

// TestHeldForQuietHoursUntil: what the admin and the API show as held is
// the send run's rule: a pending Paris text due at 22:00 UTC is held until
// 09:00 in Paris; an email, a text already sent, a text due later, a New York
// text (17:00 there) and a text of a shop with quiet hours off are not held.
func TestHeldForQuietHoursUntil(t *testing.T) {
	night := time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)
	on := &stockbell.RestockSettings{QuietHours: true, QuietHoursStart: stockbell.DefaultQuietHoursStart,
		QuietHoursEnd: stockbell.DefaultQuietHoursEnd, TimeZone: "America/New_York"}
	off := *on
	off.QuietHours = false
	text := func(change func(m *stockbell.Message)) *stockbell.Message {
		m := &stockbell.Message{Channel: stockbell.ChannelSMS, Recipient: parisPhone, Status: stockbell.MessagePending, DueAt: night}
		if change != nil {
			change(m)
		}
		return m
	}
	for _, c := range []struct {
		name     string
		settings *stockbell.RestockSettings
		message  *stockbell.Message
		want     time.Time
	}{
		{"a pending Paris text", on, text(nil), parisMorning(night)},
		{"an email", on, text(func(m *stockbell.Message) { m.Channel, m.Recipient = stockbell.ChannelEmail, "a@example.com" }), time.Time{}},
		{"a text sent", on, text(func(m *stockbell.Message) { m.Status = stockbell.MessageSent }), time.Time{}},
		{"a text due later", on, text(func(m *stockbell.Message) { m.DueAt = night.Add(time.Hour) }), time.Time{}},
		{"a New York text", on, text(func(m *stockbell.Message) { m.Recipient = newYorkPhone }), time.Time{}},
		{"quiet hours off", &off, text(nil), time.Time{}},
	} {
		if got := restock.HeldForQuietHoursUntil(c.settings, c.message, night); !got.Equal(c.want) {
			t.Errorf("%s: held until %v, want %v", c.name, got, c.want)
		}
	}
}
