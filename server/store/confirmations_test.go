package store_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// US and German mobile numbers need a confirmation before any text; a
// British one does not.
const (
	usMobile = "+12015550123"
	deMobile = "+4915112345678"
	gbMobile = "+447400123456"
)

type optinFixture struct {
	shop    *stockbell.Shop
	variant *stockbell.VariantWithProduct
	clock   *storetest.Clock
}

func newOptinFixture(t *testing.T, db *store.DB) *optinFixture {
	return newOptinFixtureAt(t, db, "optin.myshopify.com")
}

// newOptinFixtureAt is newOptinFixture for a shop at domain.
func newOptinFixtureAt(t *testing.T, db *store.DB, domain string) *optinFixture {
	clock := useClock(db)
	shop := install(t, db, stockbell.PlatformShopify, domain)
	product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
	return &optinFixture{shop: shop, variant: variant(t, db, shop.ID, "v1"), clock: clock}
}

func (fx *optinFixture) subscribe(t *testing.T, db *store.DB, email, phone string) *stockbell.Subscription {
	t.Helper()
	create := stockbell.SubscriptionCreate{ShopID: fx.shop.ID, VariantID: fx.variant.ID, Email: email, Phone: phone,
		SMSConsent: phone != "", SMSConsentText: "Text me when it is back."}
	if email != "" {
		create.Channels = append(create.Channels, stockbell.ChannelEmail)
	}
	if phone != "" {
		create.Channels = append(create.Channels, stockbell.ChannelSMS)
	}
	sub, created, err := db.CreateSubscription(ctx, create)
	must(t, err)
	if !created {
		t.Fatalf("subscription of %s %s not created", email, phone)
	}
	return sub
}

// restock brings the variant back with stock units and claims one batch of
// one subscriber per unit, returning the recipients of its messages.
func (fx *optinFixture) restock(t *testing.T, db *store.DB, stock int) []string {
	t.Helper()
	fx.clock.Add(time.Minute)
	_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: fx.shop.ID, VariantPlatformID: "v1", Available: stock, At: fx.clock.Now()})
	must(t, err)
	batch, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: fx.shop.ID, VariantID: fx.variant.ID, Size: stock, Stock: stock, PerUnit: 1, Cutoff: fx.clock.Now()})
	must(t, err)
	_, err = db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: fx.shop.ID, BatchID: batch.ID, Chunk: 1, Limit: 100})
	must(t, err)
	messages, _, err := db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &fx.shop.ID})
	must(t, err)
	var to []string
	for _, m := range messages {
		to = append(to, m.Recipient)
	}
	slices.Sort(to)
	return to
}

func confirmationOf(t *testing.T, db *store.DB, subID int64, channel stockbell.Channel) stockbell.Confirmation {
	t.Helper()
	var id int64
	must(t, db.DB.GetContext(ctx, &id, db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ? AND channel = ?`), subID, channel))
	return confirmationRow(t, db, id)
}

// TestPendingSMSIsNotNotified: a US number's subscription waits for its
// confirmation, with the job that asks for it; a restock notifies the
// subscriber behind it (a batch of one unit goes to the next in line, not
// to the unconfirmed one), and once confirmed it is notified in its turn.
func TestPendingSMSIsNotNotified(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		pending := fx.subscribe(t, db, "", usMobile)
		if pending.Status != stockbell.SubscriptionPending || !slices.Equal(pending.Awaiting, stockbell.Channels{stockbell.ChannelSMS}) {
			t.Fatalf("US SMS subscription: status %s awaiting %v, want pending awaiting [sms]", pending.Status, pending.Awaiting)
		}
		c := confirmationOf(t, db, pending.ID, stockbell.ChannelSMS)
		if c.Recipient != usMobile || c.ConfirmedAt != nil {
			t.Fatalf("confirmation = %+v", c)
		}
		if jobs := jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind()); len(jobs) != 1 || int64(jobs[0]["confirmation_id"].(float64)) != c.ID ||
			int64(jobs[0]["shop_id"].(float64)) != fx.shop.ID {
			t.Fatalf("confirmation jobs = %v, want one for confirmation %d", jobs, c.ID)
		}
		fx.clock.Add(time.Second)
		fx.subscribe(t, db, "", gbMobile)

		if to := fx.restock(t, db, 1); !slices.Equal(to, []string{gbMobile}) {
			t.Fatalf("a one-unit restock messaged %v, want only the confirmed subscriber %s", to, gbMobile)
		}
		sub, created, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: fx.shop.ID, VariantID: fx.variant.ID,
			Phone: usMobile, SMSConsent: true, Channels: stockbell.Channels{stockbell.ChannelSMS}})
		must(t, err)
		if created || sub.ID != pending.ID || count(t, db, `SELECT COUNT(*) FROM confirmations`) != 1 {
			t.Fatalf("a repeat of the pending subscription: created=%v id %d (want %d), confirmations %d",
				created, sub.ID, pending.ID, count(t, db, `SELECT COUNT(*) FROM confirmations`))
		}

		confirmed, err := db.Confirm(ctx, fx.shop.ID, c.ID, stockbell.ConfirmedByLink)
		must(t, err)
		if confirmed.ConfirmedAt == nil || confirmed.Method != stockbell.ConfirmedByLink {
			t.Fatalf("Confirm answered %+v", confirmed)
		}
		sub, err = db.FindSubscriptionByID(ctx, fx.shop.ID, pending.ID)
		must(t, err)
		if sub.Status != stockbell.SubscriptionQueued || len(sub.Awaiting) != 0 {
			t.Fatalf("confirmed subscription: status %s awaiting %v, want queued awaiting nothing", sub.Status, sub.Awaiting)
		}
		if to := fx.restock(t, db, 1); !slices.Equal(to, []string{usMobile, gbMobile}) {
			t.Fatalf("after confirming, messages went to %v", to)
		}
	})
}

// TestConfirmationsPerChannel: a subscription with an email (no email
// double opt-in) and a US number is queued at once and notified by email
// only; with email double opt-in on, an email subscription waits too; a
// British number needs none.
func TestConfirmationsPerChannel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		both := fx.subscribe(t, db, "both@example.com", usMobile)
		if both.Status != stockbell.SubscriptionQueued || !slices.Equal(both.Awaiting, stockbell.Channels{stockbell.ChannelSMS}) {
			t.Fatalf("email+US SMS: status %s awaiting %v, want queued awaiting [sms]", both.Status, both.Awaiting)
		}
		if gb := fx.subscribe(t, db, "", gbMobile); gb.Status != stockbell.SubscriptionQueued || len(gb.Awaiting) != 0 {
			t.Fatalf("GB SMS: status %s awaiting %v, want queued", gb.Status, gb.Awaiting)
		}
		if de := fx.subscribe(t, db, "", deMobile); de.Status != stockbell.SubscriptionPending {
			t.Fatalf("German SMS: status %s, want pending", de.Status)
		}
		if off := fx.subscribe(t, db, "off@example.com", ""); off.Status != stockbell.SubscriptionQueued {
			t.Fatalf("email with double opt-in off: status %s, want queued", off.Status)
		}
		on := true
		_, err := db.UpdateSettings(ctx, fx.shop.ID, stockbell.SettingsUpdate{EmailDoubleOptIn: &on})
		must(t, err)
		email := fx.subscribe(t, db, "on@example.com", "")
		if email.Status != stockbell.SubscriptionPending || !slices.Equal(email.Awaiting, stockbell.Channels{stockbell.ChannelEmail}) {
			t.Fatalf("email with double opt-in on: status %s awaiting %v, want pending [email]", email.Status, email.Awaiting)
		}
		to := fx.restock(t, db, 10)
		want := []string{gbMobile, "both@example.com", "off@example.com"}
		slices.Sort(want)
		if !slices.Equal(to, want) {
			t.Fatalf("restock messaged %v, want %v (no unconfirmed contact)", to, want)
		}
	})
}

// TestConfirmReply: a YES reply confirms the number's open confirmations
// whose request was sent in the last week, not older ones or other numbers'.
func TestConfirmReply(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		old := fx.subscribe(t, db, "", usMobile)
		must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, confirmationOf(t, db, old.ID, stockbell.ChannelSMS).ID, "old request"))
		fx.clock.Add(stockbell.ConfirmationLinkValidity + time.Hour)
		must(t, db.Unsubscribe(ctx, fx.shop.ID, old.ID))
		product(t, db, fx.shop.ID, "p2", map[string]int{"v2": 0})
		fx.variant = variant(t, db, fx.shop.ID, "v2")
		fresh := fx.subscribe(t, db, "", usMobile)
		other := fx.subscribe(t, db, "", "+12015550199")
		for _, sub := range []*stockbell.Subscription{fresh, other} {
			must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, confirmationOf(t, db, sub.ID, stockbell.ChannelSMS).ID, "Reply YES"))
		}
		n, err := db.ConfirmReply(ctx, usMobile)
		must(t, err)
		if n != 1 {
			t.Fatalf("ConfirmReply confirmed %d, want 1", n)
		}
		c := confirmationOf(t, db, fresh.ID, stockbell.ChannelSMS)
		if c.ConfirmedAt == nil || c.Method != stockbell.ConfirmedByReply || c.ConsentText != "Reply YES" {
			t.Fatalf("replied confirmation = %+v", c)
		}
		if c := confirmationOf(t, db, other.ID, stockbell.ChannelSMS); c.ConfirmedAt != nil {
			t.Fatalf("another number's confirmation was confirmed: %+v", c)
		}
		if c := confirmationOf(t, db, old.ID, stockbell.ChannelSMS); c.ConfirmedAt != nil {
			t.Fatalf("an expired request was confirmed: %+v", c)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = ? AND subscription_id = ?`, stockbell.EventConfirmed, fresh.ID); n != 1 {
			t.Fatalf("%d confirmed events, want 1", n)
		}
	})
}

// TestStopSMS: STOP from a number unsubscribes its SMS-only subscriptions
// and leaves the email of one that has both; other numbers are untouched.
func TestStopSMS(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		smsOnly := fx.subscribe(t, db, "", usMobile)
		both := fx.subscribe(t, db, "both@example.com", gbMobile)
		product(t, db, fx.shop.ID, "p2", map[string]int{"v2": 0})
		fx.variant = variant(t, db, fx.shop.ID, "v2")
		other := fx.subscribe(t, db, "", "+12015550199")
		gbOnly := fx.subscribe(t, db, "", gbMobile)
		before := stockJobs(t, db)
		for _, phone := range []string{usMobile, gbMobile} {
			if _, err := db.StopSMS(ctx, phone); err != nil {
				t.Fatal(err)
			}
		}
		want := map[int64]struct {
			status   stockbell.SubscriptionStatus
			channels string
		}{smsOnly.ID: {stockbell.SubscriptionUnsubscribed, ""}, both.ID: {stockbell.SubscriptionQueued, "email"},
			other.ID: {stockbell.SubscriptionPending, "sms"}, gbOnly.ID: {stockbell.SubscriptionUnsubscribed, ""}}
		for id, w := range want {
			sub, err := db.FindSubscriptionByID(ctx, fx.shop.ID, id)
			must(t, err)
			channels, _ := sub.Channels.Value()
			if sub.Status != w.status || channels != w.channels {
				t.Errorf("subscription %d after STOP: %s %v, want %s [%s]", id, sub.Status, sub.Channels, w.status, w.channels)
			}
		}
		if sub, _ := db.FindSubscriptionByID(ctx, fx.shop.ID, both.ID); sub.Phone != "" {
			t.Errorf("the email+SMS subscription kept the number %s", sub.Phone)
		}
		// The one still queued wakes the restock engine (a chunk claim may
		// have skipped its locked row); the ones that left do not.
		if jobs := stockJobs(t, db); jobs[both.VariantID] != before[both.VariantID]+1 || jobs[gbOnly.VariantID] != before[gbOnly.VariantID] {
			t.Errorf("stock jobs after STOP = %v (before %v), want one more for %d only", jobs, before, both.VariantID)
		}
	})
}

// TestConfirmingAQueuedSubscriptionWakesTheEngine: confirming the second
// channel of a subscription already queued by its first wakes the restock
// engine, as confirming a pending one does: on PostgreSQL a chunk claim
// skips the row while the confirmation holds it, and a batch for everyone
// may close meanwhile.
func TestConfirmingAQueuedSubscriptionWakesTheEngine(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		both := fx.subscribe(t, db, "both@example.com", usMobile)
		if both.Status != stockbell.SubscriptionQueued {
			t.Fatalf("email+US SMS: status %s, want queued", both.Status)
		}
		before := stockJobs(t, db)
		_, err := db.Confirm(ctx, fx.shop.ID, confirmationOf(t, db, both.ID, stockbell.ChannelSMS).ID, stockbell.ConfirmedByLink)
		must(t, err)
		if jobs := stockJobs(t, db); jobs[both.VariantID] != before[both.VariantID]+1 {
			t.Fatalf("stock jobs after confirming = %v (before %v), want one more", jobs, before)
		}
	})
}

// TestConfirmWaitsForAClaimAndSeesItNotified: on PostgreSQL a confirmation
// that comes while a chunk claim holds the subscription (marked notified,
// not yet committed) waits for it and then finds the subscription no
// longer waiting (ECONFLICT, stockbell.ClosedNotWaiting): it does not put
// a notified subscriber back in the queue.
func TestConfirmWaitsForAClaimAndSeesItNotified(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	fx := newOptinFixture(t, db)
	both := fx.subscribe(t, db, "both@example.com", usMobile)
	c := confirmationOf(t, db, both.ID, stockbell.ChannelSMS)

	err := afterWaitingFor(t, db, `UPDATE subscriptions SET status = $1, notified_at = $2 WHERE id = $3`,
		[]any{stockbell.SubscriptionNotified, fx.clock.Now(), both.ID}, func() error {
			_, err := db.Confirm(ctx, fx.shop.ID, c.ID, stockbell.ConfirmedByLink)
			return err
		})
	wantCode(t, err, stockbell.ECONFLICT, "")
	sub, err := db.FindSubscriptionByID(ctx, fx.shop.ID, both.ID)
	must(t, err)
	if sub.Status != stockbell.SubscriptionNotified {
		t.Fatalf("subscription after the claim and the confirmation: %s, want notified", sub.Status)
	}
	if c := confirmationOf(t, db, both.ID, stockbell.ChannelSMS); c.ConfirmedAt != nil {
		t.Fatalf("the confirmation was recorded: %+v", c)
	}
}

// TestSubscribingAgainResendsAnOldRequest: a pending shopper who submits
// the form again gets the same subscription; a new confirmation request is
// queued only when the last one left more than an hour ago.
func TestSubscribingAgainResendsAnOldRequest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		sub := fx.subscribe(t, db, "", usMobile)
		c := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS)
		must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, c.ID, "Reply YES"))
		again := func() {
			t.Helper()
			got, created, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: fx.shop.ID, VariantID: fx.variant.ID,
				Phone: usMobile, SMSConsent: true, Channels: stockbell.Channels{stockbell.ChannelSMS}})
			must(t, err)
			if created || got.ID != sub.ID {
				t.Fatalf("subscribing again: created=%v id %d, want the pending subscription %d", created, got.ID, sub.ID)
			}
		}
		fx.clock.Add(10 * time.Minute)
		again()
		if n := len(jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind())); n != 1 {
			t.Fatalf("%d confirmation jobs ten minutes after the first request, want 1", n)
		}
		fx.clock.Add(2 * time.Hour)
		again()
		if n := len(jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind())); n != 2 {
			t.Fatalf("%d confirmation jobs two hours after the first request, want 2", n)
		}
		if c := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS); c.SentAt != nil || !c.RequestedAt.Equal(fx.clock.Now()) {
			t.Fatalf("the confirmation after a new request: %+v", c)
		}
	})
}

// TestConfirmWaitsForAFlowLeavingDraft: on PostgreSQL a confirmation that
// puts a pending subscription in the queue waits for a transaction that
// holds the shop's row for update, as a flow leaving draft does before it
// reads the queue (recheckWaitingVariants); so the confirmation's own job
// cannot run against the flow still in draft while the flow's read missed
// the subscription.
func TestConfirmWaitsForAFlowLeavingDraft(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	fx := newOptinFixture(t, db)
	pending := fx.subscribe(t, db, "", usMobile)
	c := confirmationOf(t, db, pending.ID, stockbell.ChannelSMS)

	must(t, afterWaitingFor(t, db, `SELECT id FROM shops WHERE id = $1 FOR UPDATE`, []any{fx.shop.ID}, func() error {
		_, err := db.Confirm(ctx, fx.shop.ID, c.ID, stockbell.ConfirmedByLink)
		return err
	}))
	if sub, err := db.FindSubscriptionByID(ctx, fx.shop.ID, pending.ID); err != nil || sub.Status != stockbell.SubscriptionQueued {
		t.Fatalf("confirmed subscription = %+v, %v; want queued", sub, err)
	}
}

// TestRemovedSignUpCannotBeConfirmed: a merchant removes a sign-up still
// waiting for the shopper's confirmation. It is cancelled with a removed
// event saying it was pending, and neither its link nor a YES reply puts
// it in the queue afterwards: a restock does not notify it. Confirming it
// answers ECONFLICT, not ENOTFOUND, so the link's page can tell the shopper
// the shop removed it rather than that the link is not valid.
func TestRemovedSignUpCannotBeConfirmed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		pending := fx.subscribe(t, db, "", usMobile)
		c := confirmationOf(t, db, pending.ID, stockbell.ChannelSMS)
		must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, c.ID, "Reply YES"))
		fx.clock.Add(time.Second)
		fx.subscribe(t, db, "", gbMobile)

		was, err := db.RemoveSubscription(ctx, fx.shop.ID, pending.ID, stockbell.AdminUser{Email: "owner@example.com"})
		if err != nil || was != stockbell.SubscriptionPending {
			t.Fatalf("removing the pending sign-up: it was %q (%v), want pending", was, err)
		}
		want := `{"by":"owner@example.com","previous_status":"pending","removed_by":{"email":"owner@example.com"},"user_id":""}`
		if got := removedEvents(t, db, fx.shop.ID, pending.ID); len(got) != 1 || got[0] != want {
			t.Fatalf("removed events: %q, want one %s", got, want)
		}
		_, err = db.Confirm(ctx, fx.shop.ID, c.ID, stockbell.ConfirmedByLink)
		wantCode(t, err, stockbell.ECONFLICT, "")
		if n, err := db.ConfirmReply(ctx, usMobile); err != nil || n != 0 {
			t.Fatalf("a YES reply after the removal confirmed %d (%v), want none", n, err)
		}
		sub, err := db.FindSubscriptionByID(ctx, fx.shop.ID, pending.ID)
		must(t, err)
		if sub.Status != stockbell.SubscriptionCancelled || confirmationOf(t, db, pending.ID, stockbell.ChannelSMS).ConfirmedAt != nil {
			t.Fatalf("after a link and a reply the removed sign-up is %s, want cancelled and unconfirmed", sub.Status)
		}
		if to := fx.restock(t, db, 2); !slices.Equal(to, []string{gbMobile}) {
			t.Fatalf("a restock messaged %v, want only %s", to, gbMobile)
		}
	})
}

// TestSubscribingAgainResendsNoOldRequestOfAChannelLeft: a pending
// shopper awaiting both email and text confirmations, both requests sent,
// replied STOP; subscribing again by email more than
// ConfirmationResendAfter later sends the email request again, and leaves
// the text request as it was: the number is no longer awaited.
func TestSubscribingAgainResendsNoOldRequestOfAChannelLeft(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		on := true
		_, err := db.UpdateSettings(ctx, fx.shop.ID, stockbell.SettingsUpdate{EmailDoubleOptIn: &on})
		must(t, err)
		sub := fx.subscribe(t, db, "ann@example.com", usMobile)
		email, sms := confirmationOf(t, db, sub.ID, stockbell.ChannelEmail), confirmationOf(t, db, sub.ID, stockbell.ChannelSMS)
		must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, email.ID, "Confirm your email"))
		must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, sms.ID, "Reply YES"))
		if n, err := db.StopSMS(ctx, usMobile); err != nil || n != 1 {
			t.Fatalf("STOP changed %d subscriptions (%v), want 1", n, err)
		}
		before := jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind())
		fx.clock.Add(2 * time.Hour)
		fx.subscribeAgain(t, db, fx.shop.ID, fx.variant, &stockbell.Subscription{ID: sub.ID, Email: "ann@example.com",
			Channels: stockbell.Channels{stockbell.ChannelEmail}})

		after := jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind())
		if len(after) != len(before)+1 || after[len(after)-1]["confirmation_id"] != float64(email.ID) {
			t.Fatalf("send_confirmation jobs after subscribing again: %v, want one more, for the email confirmation %d", after, email.ID)
		}
		if got := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS); got.SentAt == nil || !got.RequestedAt.Equal(sms.RequestedAt) {
			t.Fatalf("the text confirmation after subscribing again: %+v, want it left as sent", got)
		}
		if got := confirmationOf(t, db, sub.ID, stockbell.ChannelEmail); got.SentAt != nil || !got.RequestedAt.Equal(fx.clock.Now()) {
			t.Fatalf("the email confirmation after subscribing again: %+v, want it requested now", got)
		}
	})
}
