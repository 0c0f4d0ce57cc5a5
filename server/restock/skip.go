package restock

import (
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// SkipMessage says whether a pending message must not be sent at now, and
// whether the subscriber's later steps are dropped with it.
func SkipMessage(d *stockbell.MessageDelivery, now time.Time) (reason stockbell.SkipReason, stopFlow bool) {
	switch {
	case !d.StepFound:
		return stockbell.SkipStepRemoved, true
	case !d.Shop.Active():
		return stockbell.SkipShopUninstalled, true
	case d.Subscription.Status == stockbell.SubscriptionUnsubscribed:
		return stockbell.SkipUnsubscribed, true
	case d.Subscription.Status != stockbell.SubscriptionNotified:
		return stockbell.SkipSubscriptionGone, true
	case d.Message.Channel == stockbell.ChannelSMS && !d.Subscription.Channels.Has(stockbell.ChannelSMS):
		// The number replied STOP after the message was read or released
		// by an attempt (see store StopSMS; its lease then says so:
		// AttemptChannelLeft); the rest of the flow goes on by email.
		return stockbell.SkipUnsubscribed, false
	case d.Variant.Deleted:
		return stockbell.SkipProductDeleted, true
	case d.Variant.VariantDeleted:
		return stockbell.SkipVariantDeleted, true
	case !d.Variant.Published:
		return stockbell.SkipProductHidden, true
	case d.Step.SkipIfOutOfStock && !d.Variant.Purchasable():
		return stockbell.SkipOutOfStockAgain, false
	case smartSendingBlocks(d, now):
		return stockbell.SkipSmartSending, false
	}
	return "", false
}

// smartSendingBlocks reports whether the recipient was messaged within the
// step's smart-sending window.
func smartSendingBlocks(d *stockbell.MessageDelivery, now time.Time) bool {
	since := smartSendingSince(d, now)
	return !since.IsZero() && d.LastSentToRecipient != nil && d.LastSentToRecipient.After(since)
}

// smartSendingSince is the start of the step's smart-sending window at
// now, or zero when the step has smart sending off.
func smartSendingSince(d *stockbell.MessageDelivery, now time.Time) time.Time {
	if d.Step.SmartSendingHours <= 0 {
		return time.Time{}
	}
	return now.Add(-time.Duration(d.Step.SmartSendingHours) * time.Hour)
}
