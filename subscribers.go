package stockbell

import (
	"context"
	"time"
)

// EventRemoved records that a merchant removed a subscription from its
// queue, from the batch that held it for approval, or before the shopper
// confirmed it (its status becomes cancelled). Detail: "by", who removed
// it; "previous_status", the status it had (queued, pending or held);
// "batch_id", the batch it was held in, for a held one.
const EventRemoved EventKind = "removed"

// SubscriberTimeline is everything that happened to one subscription, in
// one read, so that "why did she get no email?" is answered on one screen:
// her own events (subscribed, notified, messages sent or skipped and why,
// unsubscribed), what happened to her variant while she waited (restocks
// seen, batches and how they were sized, decisions to notify no one and
// why, waiting periods), the shop's settings changes in that time, her
// messages and the clicks on them.
type SubscriberTimeline struct {
	Subscription Subscription
	Variant      VariantWithProduct
	// Position is her place in the variant's queue (1 is next), 0 when she
	// is not queued; Queued is how many are queued for the variant.
	Position int
	Queued   int
	// WaitingUntil is the end of the variant's current wait between batches.
	WaitingUntil *time.Time
	// Events are oldest first. Events of the variant and the shop are those
	// from her subscription until she left the queue (or now); stock
	// changes among them are only those that raised the stock.
	Events   []*Event
	Messages []*Message
	Clicks   []MessageClick
	// Confirmations are those asked of her (double opt-in), oldest first:
	// each one's SentAt is set once its request is recorded as sent, its
	// FailedAt once it could not be sent.
	Confirmations []*Confirmation
}

// MessageClick is one recorded click on a message's link.
type MessageClick struct {
	MessageID int64     `db:"message_id" json:"message_id"`
	ClickedAt time.Time `db:"clicked_at" json:"clicked_at"`
}

// MaxTimelineEvents bounds the variant and shop events a timeline reads.
const MaxTimelineEvents = 500

// VariantDemand is one variant shoppers wait for, with what happened to it
// last.
type VariantDemand struct {
	Variant VariantWithProduct
	Queued  int
	// LastRestockAt is when the variant last came back from sold out.
	LastRestockAt *time.Time
	// LastBatch is the variant's latest notification batch;
	// LastBatchNotified counts the subscribers it notified, and
	// LastBatchHeld those it holds for the merchant's approval (a manual
	// flow), not notified yet.
	LastBatch         *RestockBatch
	LastBatchNotified int `json:"last_batch_notified"`
	LastBatchHeld     int `json:"last_batch_held"`
	// WaitingUntil is the end of the variant's wait between batches as
	// stored: nil when none runs; already past when its end has come and
	// stock is about to be counted again. The API's demand report writes
	// RunningWait instead, as waiting_until.
	WaitingUntil *time.Time `json:"-"`
}

// RunningWait is the end of the variant's wait between batches if it runs
// at now, nil if none does: a stored end that has come waits only for the
// engine to count stock again.
func (d *VariantDemand) RunningWait(now time.Time) *time.Time {
	if d.WaitingUntil == nil || !now.Before(*d.WaitingUntil) {
		return nil
	}
	return d.WaitingUntil
}

// DemandFilter selects the variants with queued subscribers of one shop.
type DemandFilter struct {
	ShopID int64
	Offset int
	Limit  int
}

// SubscriberService is what the admin needs beyond SubscriptionService to
// show and manage a shop's subscribers. Every method is scoped to a shop:
// another shop's subscription is not found.
type SubscriberService interface {
	// FindSubscriberTimeline returns ENOTFOUND unless the subscription
	// belongs to the shop.
	FindSubscriberTimeline(ctx context.Context, shopID, subscriptionID int64) (*SubscriberTimeline, error)
	// RemoveSubscription takes a queued subscription out of the queue, a
	// pending one (not yet confirmed by the shopper) out of waiting for its
	// confirmation, or a held one out of the batch waiting for the
	// merchant's approval (status cancelled), with an EventRemoved event
	// naming who removed it; a pending one's confirmation can no longer be
	// given; its held messages are skipped at once (SkipRemoved), so
	// the batch no longer lists, counts or sends to it. Removing one of
	// another status (see Removable) changes nothing. It returns the
	// status the subscription had: it was removed now if Removable says
	// so. Returns ENOTFOUND unless it belongs to the shop.
	RemoveSubscription(ctx context.Context, shopID, subscriptionID int64, by AdminUser) (SubscriptionStatus, error)
	// SendConfirmationAgain queues, with a new SendConfirmationJob, one
	// new send of each confirmation request of the subscription that could
	// not be sent (Confirmation.FailedAt) on a channel it still awaits,
	// clearing the failure, and returns how many it queued: none when
	// none failed (they were queued again already, say), or when the
	// subscription no longer waits. Returns ENOTFOUND unless it belongs to
	// the shop.
	SendConfirmationAgain(ctx context.Context, shopID, subscriptionID int64) (int, error)
	// FindDemand returns the shop's variants with queued subscribers, most
	// wanted first, and how many there are.
	FindDemand(ctx context.Context, filter DemandFilter) ([]*VariantDemand, int, error)
}
