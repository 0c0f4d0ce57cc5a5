package restock_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// useTemplate stores the library flow of that name as the shop's flow.
func (h *harness) useTemplate(template string) {
	flow, err := stockbell.FlowFromTemplate(h.shop.ID, template)
	h.must(err)
	h.must(h.db.UpdateFlow(ctx, flow))
}

// TestLibraryReminderUsesSmartSending: Klaviyo's advice, "turn on Smart
// Sending for non-essential messages" and off for the alert, is what the
// library's reminder flow does. A shopper told about a second item four
// hours before the first item's reminder is due is not sent that
// reminder; the alert about the second item went out all the same, and
// the shopper who got nothing else meanwhile is reminded.
func TestLibraryReminderUsesSmartSending(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.useTemplate(stockbell.TemplateEmailReminder)
		a, b := h.variant("a"), h.variant("b")
		h.subscribe(a, 1, "ann")
		h.subscribe(b, 1, "ann")
		h.subscribe(a, 1, "bob")
		h.stock("a", "warehouse", 5)
		h.run()
		h.clock.Add(20 * time.Hour)
		h.stock("b", "warehouse", 5)
		h.run()
		h.clock.Add(4 * time.Hour) // a's reminders are due
		h.run()
		h.clock.Add(20 * time.Hour) // b's reminder is due, 24 h after its alert
		h.run()

		want := []string{"ann000@example.com", "bob000@example.com", "ann000@example.com", "bob000@example.com", "ann000@example.com"}
		if got := h.sender.recipients(); !slices.Equal(got, want) {
			t.Fatalf("sent to %v, want %v: a's alerts, b's alert, bob's reminder of a, ann's reminder of b", got, want)
		}
		skipped := h.messages(stockbell.MessageSkipped)
		if len(skipped) != 1 || skipped[0].Step != 2 || skipped[0].Recipient != "ann000@example.com" || skipped[0].Error != string(stockbell.SkipSmartSending) {
			t.Fatalf("skipped %+v, want ann's reminder of a skipped by smart sending", skipped)
		}
	})
}

// TestLibraryTextFollowUpUsesSmartSending: the text an hour after the
// email alert is not essential either. A shopper who gave only a number
// got the alert itself by text (the alert falls back to the other
// channel) and is not texted again an hour later; a shopper with an
// email and a number gets the email, then the text.
func TestLibraryTextFollowUpUsesSmartSending(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.useTemplate(stockbell.TemplateEmailThenSMS)
		v := h.variant("v1")
		textOnly := h.subscribeContact(v, "", "+447400123001")
		both := h.subscribeContact(v, "both@example.com", "+447400123002")
		h.stock("v1", "warehouse", 5)
		h.run()
		h.clock.Add(time.Hour)
		h.run()

		want := []string{"+447400123001", "both@example.com", "+447400123002"}
		if got := h.sender.recipients(); !slices.Equal(got, want) {
			t.Fatalf("sent to %v, want %v", got, want)
		}
		skipped := h.messages(stockbell.MessageSkipped)
		if len(skipped) != 1 || skipped[0].SubscriptionID != textOnly || skipped[0].Step != 2 || skipped[0].Error != string(stockbell.SkipSmartSending) {
			t.Fatalf("skipped %+v, want the text-only shopper's follow-up skipped by smart sending", skipped)
		}
		if n := h.count(`SELECT COUNT(*) FROM messages WHERE subscription_id = ? AND status = 'sent'`, both); n != 2 {
			t.Fatalf("the shopper with both contacts got %d messages, want 2", n)
		}
	})
}

// subscribeContact queues a subscriber of the variant by email, by text
// or both (with SMS consent), one second after the previous one.
func (h *harness) subscribeContact(variantID int64, email, phone string) int64 {
	create := stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: variantID, Email: email, Phone: phone}
	if email != "" {
		create.Channels = append(create.Channels, stockbell.ChannelEmail)
	}
	if phone != "" {
		create.Channels, create.SMSConsent = append(create.Channels, stockbell.ChannelSMS), true
	}
	sub, _, err := h.db.CreateSubscription(ctx, create)
	h.must(err)
	h.clock.Add(time.Second)
	return sub.ID
}
