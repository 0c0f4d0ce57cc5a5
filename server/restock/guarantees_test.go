package restock_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestShopUninstalledWhileTheJobSends: a shop uninstalled while a send
// job is sending its alerts sends none after that: the job read the shop
// when it started, but each send is decided again when its message is
// leased, as for a subscriber who leaves.
func TestShopUninstalledWhileTheJobSends(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		h.subscribe(v, 3, "u")
		uninstalled := false
		h.msgr.Sender = sendHook{h.sender, func() {
			if !uninstalled { // as the first alert goes out, the merchant uninstalls the app
				uninstalled = true
				h.must(h.db.UninstallShop(ctx, h.shop.ID))
			}
		}}
		h.stock("v1", "warehouse", 5)
		h.run()

		if got := h.sender.recipients(); !slices.Equal(got, []string{"u000@example.com"}) {
			t.Fatalf("sent to %v, want u000 only (the shop was uninstalled as its alert went out)", got)
		}
		skipped := h.messages(stockbell.MessageSkipped)
		if len(skipped) != 2 {
			t.Fatalf("skipped %d alerts, want the 2 after the uninstall", len(skipped))
		}
		for _, m := range skipped {
			if m.Error != string(stockbell.SkipShopUninstalled) {
				t.Errorf("alert %d skipped for %q, want %q", m.ID, m.Error, stockbell.SkipShopUninstalled)
			}
		}
	})
}

// TestSignUpOnAReplicaWhoseClockIsAhead: a shopper who signs up for a
// variant in stock through a replica whose clock runs ahead of the one
// deciding the restock is notified: the batch the sign-up wakes takes
// every subscriber queued when it starts, whatever the clock that stamped
// them.
func TestSignUpOnAReplicaWhoseClockIsAhead(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		h.stock("v1", "warehouse", 5) // in stock, no one waiting: no restock job
		ahead := store.New(h.db.Conn, h.db.Queue)
		ahead.Clock = storetest.NewClock(h.clock.Now().Add(2 * time.Second))
		sub, _, err := ahead.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: v,
			Email: "late@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
		h.must(err)
		h.run()

		if got := h.notified(v); !slices.Equal(got, []int64{sub.ID}) {
			t.Fatalf("notified %v, want the sign-up %d", got, sub.ID)
		}
		if got := h.sender.recipients(); !slices.Equal(got, []string{"late@example.com"}) {
			t.Fatalf("sent to %v, want late@example.com", got)
		}
	})
}

// TestShopUninstalledBeforeTheBatchClaims: a batch whose shop uninstalls
// the app before its chunk is claimed takes no one out of the queue: its
// subscribers would be marked notified with alerts skipped for the
// uninstall, and after the shop installs the app again its next restock
// would have no one to notify.
func TestShopUninstalledBeforeTheBatchClaims(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		subs := h.subscribe(v, 3, "r")
		_, err := h.db.StartBatch(ctx, stockbell.BatchStart{ShopID: h.shop.ID, VariantID: v, Everyone: true, Stock: 5, Cutoff: h.clock.Now()})
		h.must(err)
		h.must(h.db.UninstallShop(ctx, h.shop.ID)) // before the batch's chunk job runs
		h.run()
		if got := h.notified(v); len(got) != 0 {
			t.Fatalf("an uninstalled shop's batch notified %v", got)
		}

		_, err = h.db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: h.shop.Domain, Name: "Bell"})
		h.must(err)
		h.clock.Add(time.Minute)
		h.stock("v1", "warehouse", 5)
		h.run()
		if got := h.notified(v); !slices.Equal(got, subs) {
			t.Fatalf("after the shop installed the app again and restocked, notified %v, want %v", got, subs)
		}
		if got := h.sender.recipients(); len(got) != 3 {
			t.Fatalf("sent to %v, want the 3 subscribers", got)
		}
	})
}

// TestUnsubscribedThenSubscribedAgain: a shopper who unsubscribes and then
// subscribes again to the same variant is queued afresh and gets one alert
// at the next restock: the alert of the subscription they left is not
// sent, and the one they left does not swallow the new sign-up.
func TestUnsubscribedThenSubscribedAgain(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		first := h.subscribe(v, 1, "again")
		h.must(h.db.Unsubscribe(ctx, h.shop.ID, first[0]))
		h.clock.Add(time.Minute)
		again := h.subscribe(v, 1, "again")
		if again[0] == first[0] {
			t.Fatalf("subscribing again returned the subscription left, %d", first[0])
		}
		h.stock("v1", "warehouse", 5)
		h.run()
		if got := h.notified(v); !slices.Equal(got, again) {
			t.Fatalf("notified %v, want the new subscription %v", got, again)
		}
		if got := h.sender.recipients(); !slices.Equal(got, []string{"again000@example.com"}) {
			t.Fatalf("sent to %v, want one alert", got)
		}
	})
}
