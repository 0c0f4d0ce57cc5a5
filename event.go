package stockbell

import (
	"context"
	"time"
)

// EventKind names an activity event.
type EventKind string

// Activity events: every decision of the restock engine is recorded so a
// merchant can answer "why did she get no email?".
const (
	EventSubscribed EventKind = "subscribed"
	EventRestocked  EventKind = "restocked"
	// EventStockChanged: a variant's stock changed, whichever way it
	// arrived: a stock change applied (ApplyStockChange,
	// ApplyStockChanges), a product upsert whose read of the levels changed
	// a stored variant's stock (UpsertProduct), a feed item whose stock or
	// publication changed. Detail: old_stock, new_stock, source, and the
	// location_id and available of the level that changed (a read that
	// changed several lists them as locations). The dashboard's restocks,
	// a variant's last restock and the comebacks that make a batch a
	// restock are read from these.
	EventStockChanged EventKind = "stock_changed"
	EventBatchStarted EventKind = "batch_started"
	EventNotified     EventKind = "notified"
	// EventHeld: a batch of a manual flow took the subscriber out of the
	// queue and holds the first message for the merchant's approval
	// (detail as notified's: batch_id, message_id, channel). The
	// subscriber is notified (EventNotified) only when the batch is
	// approved.
	EventHeld EventKind = "held"
	// EventBatchDecided: the merchant approved or discarded a batch a
	// manual flow held (detail: batch_id, decision "approved" or
	// "discarded", messages, how many it sent or dropped, and decided_by,
	// the AdminUser who decided: absent from decisions recorded before it).
	EventBatchDecided EventKind = "batch_decided"
	EventSkipped      EventKind = "skipped"
	EventWaitStarted  EventKind = "wait_started"
	EventWaitEnded    EventKind = "wait_ended"
	EventUnsubscribed EventKind = "unsubscribed"
	// EventConfirmed: the shopper confirmed a channel (double opt-in).
	EventConfirmed       EventKind = "confirmed"
	EventMessageSent     EventKind = "message_sent"
	EventMessageFailed   EventKind = "message_failed"
	EventShopInstalled   EventKind = "shop_installed"
	EventShopUninstalled EventKind = "shop_uninstalled"
	EventSettingsChanged EventKind = "settings_changed"
	// EventConverted: an order bought the variant a subscriber was notified
	// about (detail: order_id, quantity, revenue, currency, via, and the
	// channel of the alert that earned it).
	EventConverted EventKind = "converted"
)

// Activity events of stock changes that were not applied as they came (see
// DecideStockChange); the detail's reason says why.
const (
	// EventStockChangeIgnored: what is stored is newer than the change.
	EventStockChangeIgnored EventKind = "stock_change_ignored"
	// EventStockChangeReread: the change could not be ordered against the
	// stored level, so the level is read again from the platform.
	EventStockChangeReread EventKind = "stock_change_reread"
)

// Event is one entry of a shop's activity log. Detail is a small JSON
// object whose keys depend on the kind (e.g. batch size, stock, reason).
type Event struct {
	ID             int64     `db:"id" json:"id"`
	ShopID         int64     `db:"shop_id" json:"shop_id"`
	Kind           EventKind `db:"kind" json:"kind"`
	VariantID      *int64    `db:"variant_id" json:"variant_id,omitempty"`
	SubscriptionID *int64    `db:"subscription_id" json:"subscription_id,omitempty"`
	Detail         string    `db:"detail" json:"detail"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
}

// EventFilter selects events of one shop: ShopID is required (a
// filter without it is EINVALID, never "all shops"); other nil fields do
// not filter.
type EventFilter struct {
	ShopID         *int64
	VariantID      *int64
	SubscriptionID *int64
	Kind           *EventKind
	Since          *time.Time
	Offset         int
	Limit          int
}

// EventService reads the activity log. Events are written by the services
// that make the decisions, in the same transaction.
type EventService interface {
	// FindEvents returns matching events, newest first, and the total count.
	FindEvents(ctx context.Context, filter EventFilter) ([]*Event, int, error)
}
