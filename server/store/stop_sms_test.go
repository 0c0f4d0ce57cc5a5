package store_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// otherMobile is a second British number (no confirmation), besides gbMobile.
const otherMobile = "+447400123457"

// TestStopSMSTakesHeldShoppersOutOfTheirBatch: STOP from a shopper held in
// a manual flow's batch skips their held text at once (unsubscribed); a
// shopper by SMS alone is unsubscribed and leaves the batch, one with email
// too keeps their place and their alert goes by email. Approving the batch
// then sends nothing to the number: only the other shopper's text and the
// email.
func TestStopSMSTakesHeldShoppersOutOfTheirBatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := manualShop(t, db, "stop-held.myshopify.com", stockbell.TemplateEmailOnly, "v1", "v2")
		textFirst(t, db, shop.ID)
		first, subs := holdContacts(t, db, clock, shop.ID, "v1", []stockbell.SubscriptionCreate{smsOnly(gbMobile), smsOnly(otherMobile)})
		second, bothSubs := holdContacts(t, db, clock, shop.ID, "v2", []stockbell.SubscriptionCreate{emailAndSMS("both@example.com", gbMobile)})
		alone, other, both := subs[0], subs[1], bothSubs[0]

		n, err := db.StopSMS(ctx, gbMobile)
		must(t, err)
		if n != 2 {
			t.Errorf("STOP changed %d subscriptions, want the 2 held with the number", n)
		}
		wantSubscriptions(t, db, shop.ID, []int64{alone}, stockbell.SubscriptionUnsubscribed, nil)
		wantSubscriptions(t, db, shop.ID, []int64{other, both}, stockbell.SubscriptionHeld, nil)
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE subscription_id = ? AND status = ? AND error = ?`,
			alone, stockbell.MessageSkipped, stockbell.SkipUnsubscribed); n != 1 {
			t.Errorf("%d held texts of the SMS-only shopper skipped as unsubscribed, want their alert", n)
		}

		sendJobs := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind()))
		approved := 0
		for _, batch := range []int64{first, second} {
			n, err := db.ApproveHeldBatch(ctx, shop.ID, batch, decider)
			must(t, err)
			approved += n
		}
		if queued := len(jobArgs(t, db, stockbell.SendMessageJob{}.Kind())) - sendJobs; approved != 2 || queued != 2 {
			t.Errorf("approving: %d approved, %d queued; want the other shopper's text and the email", approved, queued)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE recipient = ? AND status IN (?, ?)`,
			gbMobile, stockbell.MessagePending, stockbell.MessageHeld); n != 0 {
			t.Errorf("%d messages to the number that replied STOP still to be sent", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE subscription_id = ? AND channel = ? AND recipient = ? AND status = ?`,
			both, stockbell.ChannelEmail, "both@example.com", stockbell.MessagePending); n != 1 {
			t.Errorf("the email+SMS shopper has %d alerts to send by email, want 1", n)
		}
		wantSubscriptions(t, db, shop.ID, []int64{other, both}, stockbell.SubscriptionNotified, new(clock.Now()))
	})
}

// TestStopSMSSkipsPendingReminders: STOP from a notified shopper whose
// flow still has a text to send (a reminder) skips it at once, so that it
// is never sent; a text being sent (leased) is left to its attempt.
func TestStopSMSSkipsPendingReminders(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "stop-reminder.myshopify.com")
		flow, err := stockbell.FlowFromTemplate(shop.ID, stockbell.TemplateEmailThenSMS)
		must(t, err)
		must(t, db.UpdateFlow(ctx, flow))
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		product(t, db, shop.ID, "p2", map[string]int{"v2": 0})
		alone := notifyContacts(t, db, clock, shop.ID, "v1", smsOnly(gbMobile))[0]
		both := notifyContacts(t, db, clock, shop.ID, "v2", emailAndSMS("both@example.com", gbMobile))[0]
		alert := messageOf(t, db, alone, 1)
		leased, err := db.AdvanceSend(ctx, shop.ID, stockbell.SendStep{Begin: alert, LeaseUntil: clock.Now().Add(time.Minute)})
		must(t, err)
		if leased.Outcome != stockbell.AttemptBegun {
			t.Fatalf("leasing the SMS-only shopper's alert: %v", leased.Outcome)
		}
		sendAll(t, db, shop.ID, messageOf(t, db, both, 1))
		reminder := messageOf(t, db, both, 2)
		if status := messageStatus(t, db, reminder); status != stockbell.MessagePending {
			t.Fatalf("the email+SMS shopper's text reminder is %s, want pending", status)
		}

		_, err = db.StopSMS(ctx, gbMobile)
		must(t, err)
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND status = ? AND error = ?`,
			reminder, stockbell.MessageSkipped, stockbell.SkipUnsubscribed); n != 1 {
			t.Errorf("the text reminder is %s, want skipped as unsubscribed", messageStatus(t, db, reminder))
		}
		clock.Add(2 * time.Hour)
		res, err := db.AdvanceSend(ctx, shop.ID, stockbell.SendStep{Begin: reminder, LeaseUntil: clock.Now().Add(time.Minute)})
		must(t, err)
		if res.Outcome != stockbell.AttemptDone {
			t.Errorf("the reminder's send, when due: %v, want done (nothing to send)", res.Outcome)
		}
		if status := messageStatus(t, db, alert); status != stockbell.MessagePending {
			t.Errorf("the alert being sent when STOP came is %s, want left pending to its attempt", status)
		}
		wantSubscriptions(t, db, shop.ID, []int64{alone}, stockbell.SubscriptionUnsubscribed, new(clock.Now().Add(-2*time.Hour-time.Second)))
		wantSubscriptions(t, db, shop.ID, []int64{both}, stockbell.SubscriptionNotified, new(clock.Now().Add(-2*time.Hour)))
	})
}

// TestStopSMSRefusesTheLeaseOfATextReadBefore: a send job that read an
// email+SMS shopper's text reminder before the number replied STOP is
// refused its lease afterwards, though the shopper is still notified. The
// text was being sent when STOP came (STOP leaves it to its attempt), and
// that attempt then ended without a result (its lease run out) or let it
// go (a transient failure): either way the next lease would have sent it.
// Both the send step's lease and a lone BeginAttempt refuse it, leasing
// nothing, and say the shopper is left with email.
func TestStopSMSRefusesTheLeaseOfATextReadBefore(t *testing.T) {
	for name, outcomeUnknown := range map[string]bool{"lease run out": true, "let go": false} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				clock := useClock(db)
				shop := install(t, db, stockbell.PlatformShopify, "stop-lease.myshopify.com")
				flow, err := stockbell.FlowFromTemplate(shop.ID, stockbell.TemplateEmailThenSMS)
				must(t, err)
				must(t, db.UpdateFlow(ctx, flow))
				product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
				both := notifyContacts(t, db, clock, shop.ID, "v1", emailAndSMS("both@example.com", gbMobile))[0]
				sendAll(t, db, shop.ID, messageOf(t, db, both, 1))
				reminder := messageOf(t, db, both, 2)
				clock.Add(time.Hour)
				begin := func() stockbell.SendStepResult {
					res, err := db.AdvanceSend(ctx, shop.ID, stockbell.SendStep{Begin: reminder, LeaseUntil: clock.Now().Add(time.Minute)})
					must(t, err)
					return res
				}

				read, err := db.FindMessageDeliveries(ctx, shop.ID, []int64{reminder})
				must(t, err)
				if len(read) != 1 || read[0].Message.Channel != stockbell.ChannelSMS || !read[0].Subscription.Has(stockbell.ChannelSMS) {
					t.Fatalf("the job read %+v, want the text reminder of a shopper with SMS", read)
				}
				first := begin()
				if first.Outcome != stockbell.AttemptBegun || first.Channel != stockbell.ChannelSMS {
					t.Fatalf("the first attempt: %+v, want a text begun", first)
				}
				_, err = db.StopSMS(ctx, gbMobile)
				must(t, err)
				if status := messageStatus(t, db, reminder); status != stockbell.MessagePending {
					t.Fatalf("the text being sent when STOP came is %s, want left pending to its attempt", status)
				}
				_, err = db.AdvanceSend(ctx, shop.ID, stockbell.SendStep{Released: []stockbell.AttemptRelease{{MessageID: reminder,
					Reason: "timeout", OutcomeUnknown: outcomeUnknown, Attempt: first.Attempt}}})
				must(t, err)
				clock.Add(time.Second)

				res := begin()
				if res.Outcome != stockbell.AttemptChannelLeft || res.SubscriptionStatus != stockbell.SubscriptionNotified ||
					!slices.Equal(res.SubscriptionChannels, stockbell.Channels{stockbell.ChannelEmail}) {
					t.Errorf("leasing the text after STOP: %+v, want refused as the channel left, the shopper notified by email", res)
				}
				outcome, _, err := db.BeginAttempt(ctx, shop.ID, reminder, clock.Now().Add(time.Minute))
				must(t, err)
				if outcome != stockbell.AttemptChannelLeft {
					t.Errorf("BeginAttempt on the text after STOP: %v, want refused as the channel left", outcome)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND status = ? AND attempts = 1`,
					reminder, stockbell.MessagePending); n != 1 {
					t.Errorf("the refused text was leased again or changed (%s)", messageStatus(t, db, reminder))
				}
			})
		})
	}
}

// TestStopSMSKeepsTheFlowsTiming: STOP skipping an email+SMS shopper's
// text reminder long before it was due does not bring the flow's next
// step forward: it stays due its delay after the skipped step was due,
// as the flow was timed from the alert.
func TestStopSMSKeepsTheFlowsTiming(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "stop-timing.myshopify.com")
		must(t, db.UpdateFlow(ctx, &stockbell.Flow{ShopID: shop.ID, Status: stockbell.FlowLive, Steps: []stockbell.FlowStep{
			{Channel: stockbell.ChannelEmail}, {Channel: stockbell.ChannelSMS, Delay: 24 * time.Hour},
			{Channel: stockbell.ChannelEmail, Delay: 48 * time.Hour}}}))
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		both := notifyContacts(t, db, clock, shop.ID, "v1", emailAndSMS("both@example.com", gbMobile))[0]
		alertSent := clock.Now()
		sendAll(t, db, shop.ID, messageOf(t, db, both, 1))

		clock.Add(time.Hour)
		_, err := db.StopSMS(ctx, gbMobile)
		must(t, err)
		if status := messageStatus(t, db, messageOf(t, db, both, 2)); status != stockbell.MessageSkipped {
			t.Fatalf("the text reminder is %s after STOP, want skipped", status)
		}
		var due time.Time
		must(t, db.DB.GetContext(ctx, &due, db.DB.Rebind(`SELECT due_at FROM messages WHERE subscription_id = ? AND step = 3 AND status = ?`),
			both, stockbell.MessagePending))
		if want := alertSent.Add(72 * time.Hour); !due.Equal(want) {
			t.Errorf("the email after the skipped text is due %s after the alert, want %s as the flow has it",
				due.Sub(alertSent), want.Sub(alertSent))
		}
	})
}

func smsOnly(phone string) stockbell.SubscriptionCreate {
	return stockbell.SubscriptionCreate{Phone: phone, SMSConsent: true, Channels: stockbell.Channels{stockbell.ChannelSMS}}
}

func emailAndSMS(email, phone string) stockbell.SubscriptionCreate {
	return stockbell.SubscriptionCreate{Email: email, Phone: phone, SMSConsent: true,
		Channels: stockbell.Channels{stockbell.ChannelEmail, stockbell.ChannelSMS}}
}

// textFirst makes the shop's flow begin with a text.
func textFirst(t *testing.T, db *store.DB, shopID int64) {
	t.Helper()
	flow, err := db.FindFlow(ctx, shopID)
	must(t, err)
	flow.Steps[0].Channel = stockbell.ChannelSMS
	must(t, db.UpdateFlow(ctx, flow))
}

// notifyContacts subscribes the contacts to the shop's variant, a second
// apart, and claims them all in one batch of a live flow: their alerts are
// pending.
func notifyContacts(t *testing.T, db *store.DB, clock *storetest.Clock, shopID int64, platformID string, creates ...stockbell.SubscriptionCreate) []int64 {
	t.Helper()
	_, subs := holdContacts(t, db, clock, shopID, platformID, creates)
	return subs
}

// messageOf returns the id of the subscription's message for a flow step.
func messageOf(t *testing.T, db *store.DB, subscriptionID int64, step int) int64 {
	t.Helper()
	var id int64
	must(t, db.DB.GetContext(ctx, &id, db.DB.Rebind(`SELECT id FROM messages WHERE subscription_id = ? AND step = ?`), subscriptionID, step))
	return id
}

// sendAll records each message sent, as the send path does.
func sendAll(t *testing.T, db *store.DB, shopID int64, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		_, err := db.FinishMessage(ctx, stockbell.MessageResult{ShopID: shopID, MessageID: id, Status: stockbell.MessageSent, ProviderID: "SM1"})
		must(t, err)
	}
}
