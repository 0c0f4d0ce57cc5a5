package store_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestConfirmationFailureIsRecorded: a confirmation request that could
// not be sent keeps when and why, the provider's reason cut to
// stockbell.MaxConfirmationFailure characters, and the subscriber's
// timeline reads it.
func TestConfirmationFailureIsRecorded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		sub := fx.subscribe(t, db, "", usMobile)
		c := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS)
		fx.clock.Add(time.Minute)
		reason := "The SMS provider refused the message: " + strings.Repeat("é", 2*stockbell.MaxConfirmationFailure)
		must(t, db.MarkConfirmationFailed(ctx, fx.shop.ID, c.ID, reason))
		tl, err := db.FindSubscriberTimeline(ctx, fx.shop.ID, sub.ID)
		must(t, err)
		got := tl.Confirmations[0]
		if got.FailedAt == nil || !got.FailedAt.Equal(fx.clock.Now()) || got.SentAt != nil {
			t.Fatalf("the failed confirmation: failed at %v, sent at %v; want failed at %v, not sent", got.FailedAt, got.SentAt, fx.clock.Now())
		}
		if n := utf8.RuneCountInString(got.Failure); n > stockbell.MaxConfirmationFailure || !strings.HasPrefix(got.Failure, "The SMS provider refused") ||
			!utf8.ValidString(got.Failure) {
			t.Fatalf("the failure kept is %d characters, want at most %d from the provider's words: %q", n, stockbell.MaxConfirmationFailure, got.Failure)
		}
	})
}

// TestSendConfirmationAgain: the merchant's "Send the confirmation again"
// queues one new send of a request that could not be sent, through the
// same job, and clears its failure; asked again (a double click, a second
// tab), or for a request not failed, it queues nothing. A removed sign-up
// is not sent again.
func TestSendConfirmationAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		sub := fx.subscribe(t, db, "", usMobile)
		c := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS)
		jobs := func() int { return len(jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind())) }
		if n, err := db.SendConfirmationAgain(ctx, fx.shop.ID, sub.ID); err != nil || n != 0 || jobs() != 1 {
			t.Fatalf("sending a request not failed again: %d queued (%v), %d jobs; want none queued, the first job only", n, err, jobs())
		}
		must(t, db.MarkConfirmationFailed(ctx, fx.shop.ID, c.ID, "refused"))
		fx.clock.Add(time.Hour)
		if n, err := db.SendConfirmationAgain(ctx, fx.shop.ID, sub.ID); err != nil || n != 1 {
			t.Fatalf("sending the failed request again: %d queued (%v), want 1", n, err)
		}
		args := jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind())
		if len(args) != 2 || args[1]["confirmation_id"] != float64(c.ID) || args[1]["shop_id"] != float64(fx.shop.ID) {
			t.Fatalf("send_confirmation jobs: %v, want a second one for confirmation %d", args, c.ID)
		}
		again := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS)
		if again.FailedAt != nil || again.Failure != "" || again.SentAt != nil || !again.RequestedAt.Equal(fx.clock.Now()) {
			t.Fatalf("the confirmation queued again: %+v, want its failure cleared and requested now", again)
		}
		if n, err := db.SendConfirmationAgain(ctx, fx.shop.ID, sub.ID); err != nil || n != 0 || jobs() != 2 {
			t.Fatalf("sending it again twice: %d queued (%v), %d jobs; want none more", n, err, jobs())
		}

		must(t, db.MarkConfirmationFailed(ctx, fx.shop.ID, c.ID, "refused"))
		_, err := db.RemoveSubscription(ctx, fx.shop.ID, sub.ID, stockbell.AdminUser{Email: "owner@example.com"})
		must(t, err)
		if n, err := db.SendConfirmationAgain(ctx, fx.shop.ID, sub.ID); err != nil || n != 0 || jobs() != 2 {
			t.Fatalf("sending a removed sign-up's request again: %d queued (%v), %d jobs; want none", n, err, jobs())
		}
	})
}

// TestSendConfirmationAgainNotToANumberThatStopped: a shopper queued by
// email whose text confirmation could not be sent replies STOP: the
// number is off the subscription, and its request is not sent again.
func TestSendConfirmationAgainNotToANumberThatStopped(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		sub := fx.subscribe(t, db, "ann@example.com", usMobile)
		if sub.Status != stockbell.SubscriptionQueued || !sub.AwaitsConfirmation(stockbell.ChannelSMS) {
			t.Fatalf("the sign-up by email and a US number is %s awaiting %v, want queued awaiting sms", sub.Status, sub.Awaiting)
		}
		must(t, db.MarkConfirmationFailed(ctx, fx.shop.ID, confirmationOf(t, db, sub.ID, stockbell.ChannelSMS).ID, "refused"))
		if n, err := db.StopSMS(ctx, usMobile); err != nil || n != 1 {
			t.Fatalf("STOP changed %d subscriptions (%v), want 1", n, err)
		}
		if n, err := db.SendConfirmationAgain(ctx, fx.shop.ID, sub.ID); err != nil || n != 0 {
			t.Fatalf("sending the text confirmation of a number that stopped again: %d queued (%v), want none", n, err)
		}
	})
}

// subscribeAgain submits the subscription of fx's variant for the contact
// again and checks that it is the existing one.
func (fx *optinFixture) subscribeAgain(t *testing.T, db *store.DB, shopID int64, variant *stockbell.VariantWithProduct, want *stockbell.Subscription) {
	t.Helper()
	create := stockbell.SubscriptionCreate{ShopID: shopID, VariantID: variant.ID, Email: want.Email, Phone: want.Phone,
		SMSConsent: want.Phone != "", Channels: want.Channels}
	got, created, err := db.CreateSubscription(ctx, create)
	must(t, err)
	if created || got.ID != want.ID {
		t.Fatalf("subscribing again: created=%v id %d, want the existing subscription %d", created, got.ID, want.ID)
	}
}

// TestSubscribingAgainSendsAFailedConfirmationOnce: a pending shopper
// whose confirmation request could not be sent submits the form again:
// one new send is queued, as the merchant's "Send the confirmation again"
// queues it, and the failure is cleared; submitting again while that send
// is on its way queues nothing more. A request sent (not failed) is not
// sent again within ConfirmationResendAfter.
func TestSubscribingAgainSendsAFailedConfirmationOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		sub := fx.subscribe(t, db, "", usMobile)
		c := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS)
		jobs := func() int { return len(jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind())) }
		must(t, db.MarkConfirmationFailed(ctx, fx.shop.ID, c.ID, "refused"))
		fx.clock.Add(time.Minute)
		fx.subscribeAgain(t, db, fx.shop.ID, fx.variant, sub)
		args := jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind())
		if len(args) != 2 || args[1]["confirmation_id"] != float64(c.ID) || args[1]["shop_id"] != float64(fx.shop.ID) {
			t.Fatalf("send_confirmation jobs after subscribing again: %v, want a second one for confirmation %d", args, c.ID)
		}
		if again := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS); again.FailedAt != nil || again.Failure != "" ||
			!again.RequestedAt.Equal(fx.clock.Now()) {
			t.Fatalf("the confirmation queued again: %+v, want its failure cleared and requested now", again)
		}
		fx.subscribeAgain(t, db, fx.shop.ID, fx.variant, sub)
		if n := jobs(); n != 2 {
			t.Fatalf("%d send_confirmation jobs after a second repeat while the send is on its way, want 2", n)
		}
		must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, c.ID, "Reply YES"))
		fx.subscribeAgain(t, db, fx.shop.ID, fx.variant, sub)
		if n := jobs(); n != 2 {
			t.Fatalf("%d send_confirmation jobs after a repeat of a request just sent, want 2", n)
		}
	})
}

// TestSubscribingAgainSendsNoFailedConfirmationOfAChannelLeft: a shopper
// queued by email whose text confirmation could not be sent replied STOP;
// subscribing again by email sends nothing to the number. The same contact
// at another shop does not send the first shop's request again.
func TestSubscribingAgainSendsNoFailedConfirmationOfAChannelLeft(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		jobs := func() int { return len(jobArgs(t, db, stockbell.SendConfirmationJob{}.Kind())) }
		other := install(t, db, stockbell.PlatformShopify, "other.myshopify.com")
		product(t, db, other.ID, "p1", map[string]int{"v1": 0})
		otherVariant := variant(t, db, other.ID, "v1")
		pending := fx.subscribe(t, db, "", usMobile)
		must(t, db.MarkConfirmationFailed(ctx, fx.shop.ID, confirmationOf(t, db, pending.ID, stockbell.ChannelSMS).ID, "refused"))
		theirs, created, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: other.ID, VariantID: otherVariant.ID,
			Phone: usMobile, SMSConsent: true, Channels: stockbell.Channels{stockbell.ChannelSMS}})
		must(t, err)
		if !created || jobs() != 2 {
			t.Fatalf("the number at another shop: created=%v, %d jobs; want its own subscription and its own request only", created, jobs())
		}
		fx.subscribeAgain(t, db, other.ID, otherVariant, theirs)
		if c := confirmationOf(t, db, pending.ID, stockbell.ChannelSMS); c.FailedAt == nil || jobs() != 2 {
			t.Fatalf("a repeat at another shop: the first shop's failure %v, %d jobs; want it kept, nothing queued", c.FailedAt, jobs())
		}

		sub := fx.subscribe(t, db, "ann@example.com", deMobile)
		must(t, db.MarkConfirmationFailed(ctx, fx.shop.ID, confirmationOf(t, db, sub.ID, stockbell.ChannelSMS).ID, "refused"))
		if n, err := db.StopSMS(ctx, deMobile); err != nil || n != 1 {
			t.Fatalf("STOP changed %d subscriptions (%v), want 1", n, err)
		}
		before := jobs()
		fx.subscribeAgain(t, db, fx.shop.ID, fx.variant, &stockbell.Subscription{ID: sub.ID, Email: "ann@example.com",
			Channels: stockbell.Channels{stockbell.ChannelEmail}})
		if n := jobs(); n != before {
			t.Fatalf("%d send_confirmation jobs after subscribing again by email, want %d: the number replied STOP", n, before)
		}
	})
}

// TestUninstalledShopCannotBeConfirmed: once a shop uninstalled the app,
// neither a pending sign-up's link nor a YES reply confirms it (ECONFLICT:
// nothing is sent on the shop's behalf), while the same number's pending
// sign-up at another shop is confirmed by the reply.
func TestUninstalledShopCannotBeConfirmed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptinFixture(t, db)
		pending := fx.subscribe(t, db, "", usMobile)
		c := confirmationOf(t, db, pending.ID, stockbell.ChannelSMS)
		must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, c.ID, "Reply YES"))
		other := install(t, db, stockbell.PlatformShopify, "other.myshopify.com")
		product(t, db, other.ID, "p1", map[string]int{"v1": 0})
		theirs, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: other.ID, VariantID: variant(t, db, other.ID, "v1").ID,
			Phone: usMobile, SMSConsent: true, Channels: stockbell.Channels{stockbell.ChannelSMS}})
		must(t, err)
		must(t, db.MarkConfirmationSent(ctx, other.ID, confirmationOf(t, db, theirs.ID, stockbell.ChannelSMS).ID, "Reply YES"))
		must(t, db.UninstallShop(ctx, fx.shop.ID))

		_, err = db.Confirm(ctx, fx.shop.ID, c.ID, stockbell.ConfirmedByLink)
		wantCode(t, err, stockbell.ECONFLICT, "")
		if n, err := db.ConfirmReply(ctx, usMobile); err != nil || n != 1 {
			t.Fatalf("a YES reply confirmed %d (%v), want only the other shop's sign-up", n, err)
		}
		if got := confirmationOf(t, db, pending.ID, stockbell.ChannelSMS); got.ConfirmedAt != nil {
			t.Fatalf("the uninstalled shop's confirmation was recorded: %+v", got)
		}
		if got := confirmationOf(t, db, theirs.ID, stockbell.ChannelSMS); got.ConfirmedAt == nil {
			t.Fatalf("the other shop's confirmation: %+v, want confirmed", got)
		}
	})
}
