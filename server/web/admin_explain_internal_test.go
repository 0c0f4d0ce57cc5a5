package web

import (
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestStockSourceNamesReadAsWords: where a stock change came from is
// written for a merchant, never as Stockbell's internal source name.
func TestStockSourceNamesReadAsWords(t *testing.T) {
	for source, want := range map[string]string{
		"shopify:inventory_levels/update":             "Shopify's inventory webhook",
		"shopify:products/update":                     "a Shopify webhook (products/update)",
		"shopify:reconcile":                           "Shopify stock check",
		"shopify:catalog":                             "Shopify catalog sync",
		"shopify:catalog_sync":                        "Shopify catalog sync", // stored before it took the sync log's name
		"bigcommerce:store/product/inventory/updated": "a BigCommerce webhook (store/product/inventory/updated)",
		"bigcommerce:reconcile":                       "BigCommerce stock check",
		"magento:module":                              "Magento module's stock updates",
		"prestashop:catalog":                          "PrestaShop catalog sync",
		"feed":                                        "Catalog feed",
		"demo:inventory/restock":                      "the demo shop's Simulate restock",
	} {
		if got := stockSourceName(source); got != want {
			t.Errorf("%s reads %q, want %q", source, got, want)
		}
	}
}

// TestSyncSourceNamesReadAsWords: each Shopify job's sync log source is
// named in words on the sync log page and the failure banner.
func TestSyncSourceNamesReadAsWords(t *testing.T) {
	for source, want := range map[string]string{
		"shopify:catalog":          "Shopify catalog sync",
		"shopify:reconcile":        "Shopify stock check",
		"shopify:token":            "Shopify access token exchange",
		"shopify:product_variants": "Shopify large product read",
		"shopify:webhooks":         "Shopify webhook registration",
		"shopify:reread":           "Shopify stock re-read",
	} {
		if got := syncSourceName(source); got != want {
			t.Errorf("%s reads %q, want %q", source, got, want)
		}
	}
}

// TestSettingsChangeNamesDoubleOptIn: turning email double opt-in on or
// off reads as such in the timeline, not as an unnamed change.
func TestSettingsChangeNamesDoubleOptIn(t *testing.T) {
	for _, c := range []struct {
		pair []any
		want string
	}{
		{[]any{false, true}, "Changed: email double opt-in turned on."},
		{[]any{true, false}, "Changed: email double opt-in turned off."},
	} {
		if got := settingsChangeWords(detail{"email_double_opt_in": c.pair}); got != c.want {
			t.Errorf("%v reads %q, want %q", c.pair, got, c.want)
		}
	}
}

// TestSettingsChangeNamesQuietHours: turning SMS quiet hours off and
// moving their times read as such in the timeline.
func TestSettingsChangeNamesQuietHours(t *testing.T) {
	got := settingsChangeWords(detail{"quiet_hours": []any{true, false}, "quiet_hours_start": []any{"21:00", "22:00"}})
	if want := "Changed: quiet hours start 21:00 → 22:00; SMS quiet hours turned off."; got != want {
		t.Errorf("reads %q, want %q", got, want)
	}
}

// TestHeldShopperIsNotNotified: a shopper whose batch awaits approval, or
// was discarded, reads as not notified; an approved batch's notification
// says it was approved; a batch's decision names who made it, and one
// recorded before Stockbell kept who decided names no one.
func TestHeldShopperIsNotNotified(t *testing.T) {
	heldAt := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tl := &stockbell.SubscriberTimeline{Subscription: stockbell.Subscription{Status: stockbell.SubscriptionHeld, UpdatedAt: heldAt},
		Messages: []*stockbell.Message{{Status: stockbell.MessageHeld, Channel: stockbell.ChannelEmail, CreatedAt: heldAt}}}
	for status, want := range map[stockbell.SubscriptionStatus]string{
		stockbell.SubscriptionHeld:      "Not notified yet: in a batch waiting for your approval since " + formatDateTime(heldAt) + " (the flow is manual).",
		stockbell.SubscriptionDiscarded: "Not notified: their batch's alert was discarded on " + formatDateTime(heldAt) + ".",
	} {
		tl.Subscription.Status = status
		if answer, _ := explainSubscriber(nil, tl, nil, nil, heldAt); answer != want {
			t.Errorf("%s reads %q, want %q", status, answer, want)
		}
	}
	for kind, want := range map[stockbell.EventKind]string{
		stockbell.EventHeld:     "Held for your approval in batch 7",
		stockbell.EventNotified: "Notified in batch 7",
	} {
		e := &stockbell.Event{Kind: kind}
		if got := describeEvent(e, detail{"batch_id": float64(7), "channel": "email"}, batchSet(7), tl); got.What != want {
			t.Errorf("%s reads %q, want %q", kind, got.What, want)
		}
	}
	approved := describeEvent(&stockbell.Event{Kind: stockbell.EventNotified}, detail{"batch_id": float64(7), "channel": "email", "approved": true}, batchSet(7), tl)
	if !strings.HasPrefix(approved.Why, "The batch was approved") {
		t.Errorf("an approved notification reads %q", approved.Why)
	}
	ana := map[string]any{"id": "5150", "email": "ana@example.com"}
	for _, c := range []struct {
		decision string
		by       any
		want     string
	}{
		{"approved", ana, "Batch 7 approved by ana@example.com: Approved in the admin: its 2 messages were queued for sending."},
		{"discarded", map[string]any{"id": "77"}, "Batch 7 discarded by user 77: Discarded in the admin: its 2 messages will not be sent."},
		{"approved", nil, "Batch 7 approved: Approved in the admin (who approved it was not recorded): its 2 messages were queued for sending."},
		{"discarded", nil, "Batch 7 discarded: Discarded in the admin (who discarded it was not recorded): its 2 messages will not be sent."},
	} {
		decision, want := c.decision, c.want
		d := detail{"batch_id": float64(7), "decision": decision, "messages": float64(2)}
		if c.by != nil {
			d["decided_by"] = c.by
		}
		if got := describeEvent(&stockbell.Event{Kind: stockbell.EventBatchDecided}, d, batchSet(7), tl); got.What+": "+got.Why != want {
			t.Errorf("the batch %s reads %q: %q, want %q", decision, got.What, got.Why, want)
		}
	}
}

// TestTimelineOfAShopperQueuedAgain: a shopper whose alert was skipped as
// sold out reads as queued again in their place, and each batch that took
// them reads as theirs.
func TestTimelineOfAShopperQueuedAgain(t *testing.T) {
	sub := int64(3)
	tl := &stockbell.SubscriberTimeline{Subscription: stockbell.Subscription{ID: sub, Status: stockbell.SubscriptionNotified}}
	skipped := describeEvent(&stockbell.Event{Kind: stockbell.EventSkipped, SubscriptionID: &sub},
		detail{"reason": "out_of_stock_again", "step": float64(1), "channel": "email", "requeued": true}, batchSet(7), tl)
	if !strings.Contains(skipped.Why, "back in the queue in their place") {
		t.Errorf("the skipped alert of a shopper queued again reads %q", skipped.Why)
	}
	for _, id := range []float64{7, 9} {
		batch := describeEvent(&stockbell.Event{Kind: stockbell.EventBatchStarted}, detail{"batch_id": id, "size": "everyone"}, batchSet(7, 9), tl)
		if !strings.Contains(batch.Why, "was in this batch") {
			t.Errorf("batch %v, which took her, reads %q", id, batch.Why)
		}
	}
}

func batchSet(ids ...int64) map[int64]bool {
	set := map[int64]bool{}
	for _, id := range ids {
		set[id] = true
	}
	return set
}

// TestRemovalIsDatedFromItsEvent: a removed subscriber's answer dates the
// removal from its removed event, the record of it, not from the last
// change to the subscription's row.
func TestRemovalIsDatedFromItsEvent(t *testing.T) {
	removedAt := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	touchedAt := removedAt.Add(50 * time.Hour)
	for previous, want := range map[string]string{
		"queued":  "Removed from the queue on " + formatDateTime(removedAt) + " by owner@example.com.",
		"pending": "Sign-up removed on " + formatDateTime(removedAt) + " by owner@example.com, before the shopper confirmed it.",
		"held":    "Removed from batch 7 on " + formatDateTime(removedAt) + " by owner@example.com, before the batch was approved.",
	} {
		d := `{"by":"owner@example.com","previous_status":"` + previous + `"}`
		if previous == "held" {
			d = `{"by":"owner@example.com","previous_status":"held","batch_id":7}`
		}
		tl := &stockbell.SubscriberTimeline{
			Subscription: stockbell.Subscription{Status: stockbell.SubscriptionCancelled, UpdatedAt: touchedAt},
			Events:       []*stockbell.Event{{Kind: stockbell.EventRemoved, Detail: d, CreatedAt: removedAt}},
		}
		if answer, _ := explainSubscriber(nil, tl, nil, nil, touchedAt); answer != want {
			t.Errorf("a subscriber removed while %s reads %q, want %q", previous, answer, want)
		}
	}
}

// TestTimelineOfAnUndoneUnsubscribe: a shopper who undid an unsubscribe
// reads as resubscribed, with what they went back to.
func TestTimelineOfAnUndoneUnsubscribe(t *testing.T) {
	tl := &stockbell.SubscriberTimeline{}
	for restored, want := range map[stockbell.SubscriptionStatus]string{
		stockbell.SubscriptionQueued:   "Resubscribed: Undid their unsubscribe from the page of its link: back in the queue in their first place.",
		stockbell.SubscriptionPending:  "Resubscribed: Undid their unsubscribe from the page of its link: waiting for their confirmation again.",
		stockbell.SubscriptionNotified: "Resubscribed: Undid their unsubscribe from the page of its link: the follow-ups still to come are sent when due (any that came due meanwhile stay skipped).",
	} {
		got := describeEvent(&stockbell.Event{Kind: stockbell.EventResubscribed}, detail{"restored_status": string(restored)}, nil, tl)
		if got.What+": "+got.Why != want || got.Tone != "good" {
			t.Errorf("restored to %s reads %q: %q (%s), want %q", restored, got.What, got.Why, got.Tone, want)
		}
	}
}

// TestTimelineOfAConfirmationAndAPurchase: a confirmation reads as which
// channel was confirmed and how, a conversion as the order it counts and
// what it was bought for, as merchants write amounts.
func TestTimelineOfAConfirmationAndAPurchase(t *testing.T) {
	tl := &stockbell.SubscriberTimeline{}
	for _, c := range []struct {
		kind stockbell.EventKind
		d    detail
		want string
	}{
		{stockbell.EventConfirmed, detail{"channel": "email", "method": "link"},
			"Confirmed by email: Pressed the button on the confirmation link's page; waiting in the queue from then."},
		{stockbell.EventConfirmed, detail{"channel": "sms", "method": "reply"},
			"Confirmed by text message: Replied YES to the confirmation text; waiting in the queue from then."},
		{stockbell.EventConverted, detail{"order_id": "1001", "quantity": float64(2), "via": "click"},
			"Bought: Order 1001, 2 units, ordered after following the alert's link."},
		{stockbell.EventConverted, detail{"order_id": "1002", "quantity": float64(1), "via": "notification"},
			"Bought: Order 1002, 1 unit, ordered after the alert."},
		{stockbell.EventConverted, detail{"order_id": "1003", "quantity": float64(2), "via": "click", "revenue": "1234.50", "currency": "EUR"},
			"Bought: Order 1003, 2 units for €1,234.50, ordered after following the alert's link."},
		{stockbell.EventConverted, detail{"order_id": "1004", "quantity": float64(3), "via": "notification", "revenue": "4500.00", "currency": "JPY"},
			"Bought: Order 1004, 3 units for ¥4,500, ordered after the alert."},
		{stockbell.EventConverted, detail{"order_id": "1005", "quantity": float64(1), "via": "notification", "revenue": "19.90", "currency": ""},
			"Bought: Order 1005, 1 unit for 19.90, ordered after the alert."},
	} {
		got := describeEvent(&stockbell.Event{Kind: c.kind}, c.d, nil, tl)
		if got.What+": "+got.Why != c.want || got.Tone != "good" {
			t.Errorf("%s %v reads %q: %q (%s), want %q", c.kind, c.d, got.What, got.Why, got.Tone, c.want)
		}
	}
}
