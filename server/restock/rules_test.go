package restock_test

import (
	"maps"
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

// TestSubscribingAgainAfterTheAlert: a sign-up is an entry into the flow.
// A shopper who signs up again while still waiting keeps the place of
// their first sign-up (one subscription, oldest first); one who was told
// and signs up again once the item sold out again is queued afresh, behind
// those already waiting, and told at the next restock: once per restock
// that reaches them.
func TestSubscribingAgainAfterTheAlert(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 1, time.Hour)
		v := h.variant("v1")
		ann := h.subscribe(v, 1, "ann")
		bob := h.subscribe(v, 1, "bob")
		if again := h.subscribe(v, 1, "ann"); again[0] != ann[0] {
			t.Fatalf("signing up again while waiting made subscription %d, want the first, %d", again[0], ann[0])
		}
		h.stock("v1", "warehouse", 1) // one unit: the oldest sign-up
		h.run()
		if got := h.sender.recipients(); !slices.Equal(got, []string{"ann000@example.com"}) {
			t.Fatalf("one unit told %v, want ann, who signed up first", got)
		}

		h.clock.Add(time.Second) // platform times are whole seconds
		h.stock("v1", "warehouse", 0)
		h.clock.Add(2 * time.Hour) // the wait ends with the item sold out
		h.run()
		annAgain := h.subscribe(v, 1, "ann")
		h.stock("v1", "warehouse", 2)
		h.run()
		if got := h.notified(v); !slices.Equal(got, []int64{ann[0], bob[0], annAgain[0]}) {
			t.Fatalf("notified %v, want ann, then bob and ann's new sign-up", got)
		}
		want := []string{"ann000@example.com", "bob000@example.com", "ann000@example.com"}
		if got := h.sender.recipients(); !slices.Equal(got, want) {
			t.Fatalf("sent to %v, want %v", got, want)
		}
	})
}

// TestShoppersWhoLeftTakeNoPlace: a shopper who unsubscribed, or whom the
// merchant removed, is not in the queue: a batch sized by the units
// restocked goes to the shoppers still waiting, and nothing is sent to
// those who left.
func TestShoppersWhoLeftTakeNoPlace(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 1, time.Hour)
		v := h.variant("v1")
		subs := h.subscribe(v, 4, "q")
		h.must(h.db.Unsubscribe(ctx, h.shop.ID, subs[0]))
		_, err := h.db.RemoveSubscription(ctx, h.shop.ID, subs[1], stockbell.AdminUser{Email: "owner@example.com"})
		h.must(err)
		h.stock("v1", "warehouse", 2)
		h.run()
		if got := h.notified(v); !slices.Equal(got, subs[2:]) {
			t.Fatalf("two units notified %v, want the two still waiting %v", got, subs[2:])
		}
		if got := h.sender.recipients(); !slices.Equal(got, []string{"q002@example.com", "q003@example.com"}) {
			t.Fatalf("sent to %v", got)
		}
	})
}

// TestAlertNeedsNoMarketingConsent: the alert answers the shopper's own
// request, so it goes whether or not they also agreed to marketing.
func TestAlertNeedsNoMarketingConsent(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		for i, marketing := range []bool{false, true} {
			_, _, err := h.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: v,
				Email: []string{"no@example.com", "yes@example.com"}[i], MarketingConsent: marketing,
				Channels: stockbell.Channels{stockbell.ChannelEmail}})
			h.must(err)
			h.clock.Add(time.Second)
		}
		h.stock("v1", "warehouse", 1)
		h.run()
		if got := h.sender.recipients(); !slices.Equal(got, []string{"no@example.com", "yes@example.com"}) {
			t.Fatalf("sent to %v, want both shoppers", got)
		}
	})
}

// TestTextAlertReachesEveryoneNotified: the step after the back-in-stock
// delay "is typically an email but could be an SMS". With a text alert, a
// shopper who left a number gets the text, and one who left only an
// email address gets the alert by email: everyone the batch takes hears
// of the restock.
func TestTextAlertReachesEveryoneNotified(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.flow(stockbell.FlowLive, stockbell.FlowStep{Channel: stockbell.ChannelSMS})
		v := h.variant("v1")
		h.subscribeContact(v, "mail@example.com", "")
		h.subscribeContact(v, "both@example.com", "+447400123003")
		h.stock("v1", "warehouse", 5)
		h.run()
		if got := h.sender.recipients(); !slices.Equal(got, []string{"mail@example.com", "+447400123003"}) {
			t.Fatalf("sent to %v, want the email-only shopper by email and the other by text", got)
		}
	})
}

// TestFollowUpsDueTogetherSendOne: smart sending holds when two
// follow-ups to one contact are sent at the same moment by two workers.
// A shopper waiting for two sizes restocked together gets both alerts
// (smart sending is off for them) and, a day later, one reminder: the
// second job, which read its reminder before the first was sent, finds
// the first being sent, waits for it (a put-off counted as smart
// sending's), and then skips its own.
func TestFollowUpsDueTogetherSendOne(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		metrics := &countingMetrics{}
		h.msgr.Metrics = metrics
		h.useTemplate(stockbell.TemplateEmailReminder)
		a, b := h.variant("a"), h.variant("b")
		h.subscribe(a, 1, "ann")
		h.subscribe(b, 1, "ann")
		h.stock("a", "warehouse", 5)
		h.stock("b", "warehouse", 5)
		h.run()
		h.clock.Add(24 * time.Hour)
		reminders := h.dueJobs()
		if len(reminders) != 2 {
			t.Fatalf("%d jobs due, want the two reminders' own", len(reminders))
		}
		second := false
		h.msgr.Sender = sendHook{h.sender, func() {
			if !second { // as the first reminder goes out, another worker runs the second
				second = true
				h.finish(reminders[1], h.work(reminders[1]))
			}
		}}
		h.finish(reminders[0], h.work(reminders[0]))
		h.clock.Add(time.Minute) // past the first reminder's lease
		h.run()

		want := []string{"ann000@example.com", "ann000@example.com", "ann000@example.com"}
		if got := h.sender.recipients(); !slices.Equal(got, want) {
			t.Fatalf("sent %v, want two alerts and one reminder", got)
		}
		skipped := h.messages(stockbell.MessageSkipped)
		if len(skipped) != 1 || skipped[0].Step != 2 || skipped[0].Error != string(stockbell.SkipSmartSending) {
			t.Fatalf("skipped %+v, want the second reminder skipped by smart sending", skipped)
		}
		if got, want := metrics.putOffCounts(), map[stockbell.PutOffReason]int{stockbell.PutOffSmartSending: 1}; !maps.Equal(got, want) {
			t.Fatalf("put-offs counted %v, want %v", got, want)
		}
	})
}

// dueJobs returns every job due by the test clock, oldest first.
func (h *harness) dueJobs() []queuedJob {
	var due []queuedJob
	for {
		job, ok := h.nextDueJob()
		if !ok {
			break
		}
		due = append(due, job)
		_, err := h.db.DB.ExecContext(ctx, h.db.DB.Rebind(`UPDATE river_job SET state = 'running' WHERE id = ?`), job.ID)
		h.must(err)
	}
	return due
}

// finish records a job's run as the queue would: completed, or due again.
func (h *harness) finish(job queuedJob, err error) {
	h.t.Helper()
	if err != nil {
		h.retry(job, err)
		return
	}
	h.complete(job)
}
