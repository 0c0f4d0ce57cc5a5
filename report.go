package stockbell

import (
	"context"
	"time"
)

// EventClicked is a click on a sent message's tracked link as the activity
// report shows it. Clicks are recorded as message clicks, not as events;
// the report reads them beside the events.
const EventClicked EventKind = "clicked"

// ReportedEventKinds are the kinds of activity the activity report counts
// and exports, in the order it lists them.
var ReportedEventKinds = []EventKind{EventSubscribed, EventRestocked, EventBatchStarted, EventNotified, EventSkipped,
	EventClicked, EventUnsubscribed, EventConverted}

// ActivityFilter selects a shop's activity: records at or after Since and
// before Until; a zero VariantID, ProductID or Channel does not filter.
type ActivityFilter struct {
	ShopID    int64
	VariantID int64
	ProductID int64
	// Channel keeps the records of subscribers reached (or reachable) on
	// that channel; records about a variant rather than a subscriber (a
	// restock, a batch) concern every channel and are always kept.
	Channel Channel
	Since   time.Time
	Until   time.Time
}

// ActivityRecord is one entry of the activity report, oldest first.
type ActivityRecord struct {
	ID        int64
	At        time.Time
	Kind      EventKind
	VariantID int64
	ProductID int64
	Product   string
	Variant   string
	SKU       string
	// SubscriptionID and Contact name the subscriber, when the record is
	// about one: Contact is the phone when Channel is sms (a text reached
	// it), else the email, or the phone when there is none.
	SubscriptionID int64
	Contact        string
	// Channel is the message's channel (notified, skipped message,
	// clicked), or the subscription's channels joined by spaces otherwise.
	Channel string
	// Reason says why something was skipped.
	Reason string
	// BatchSize is a batch's size in subscribers (Everyone when a batch
	// notifies everyone waiting).
	BatchSize int
	Everyone  bool
	// OrderID, Quantity, Revenue and Currency describe a conversion.
	OrderID  string
	Quantity int
	Revenue  Amount
	Currency string
}

// QueuedSubscriber is one subscriber waiting for a variant, with their
// place in its queue (1 is next).
type QueuedSubscriber struct {
	SubscriptionID int64
	VariantID      int64
	ProductID      int64
	Product        string
	Variant        string
	SKU            string
	Email          string
	Phone          string
	Channels       Channels
	SubscribedAt   time.Time
	Position       int
}

// VariantOutcome counts what notifications of one variant achieved.
type VariantOutcome struct {
	VariantID int64
	// Notified counts subscribers notified (claimed by a batch).
	Notified int
	// Converted counts those subscribers' conversions.
	Converted int
}

// ConversionTotal sums the conversions of one variant in one currency.
type ConversionTotal struct {
	VariantID   int64  `db:"variant_id" json:"variant_id"`
	Product     string `db:"product" json:"product"`
	Variant     string `db:"variant" json:"variant"`
	SKU         string `db:"sku" json:"sku"`
	Currency    string `db:"currency" json:"currency"`
	Conversions int    `db:"conversions" json:"conversions"`
	Quantity    int    `db:"quantity" json:"quantity"`
	Revenue     Amount `db:"revenue" json:"revenue"`
}

// ReportStore is what reports read. Every method is scoped to one shop.
type ReportStore interface {
	// EachActivity calls fn with each matching activity record, oldest
	// first, reading them as a stream: memory does not grow with the
	// number of records. An error from fn stops the walk and is returned.
	EachActivity(ctx context.Context, filter ActivityFilter, fn func(*ActivityRecord) error) error
	// EachQueuedSubscriber calls fn with each subscriber queued now, by
	// variant and then by place in the queue, as a stream.
	EachQueuedSubscriber(ctx context.Context, shopID int64, fn func(*QueuedSubscriber) error) error
	// FindVariantOutcomes counts, per variant, the subscribers notified in
	// [since, until) and how many of them converted.
	FindVariantOutcomes(ctx context.Context, shopID int64, variantIDs []int64, since, until time.Time) ([]VariantOutcome, error)
	// CountNotifiedConverted counts the subscribers the filter selects
	// that were notified in [Since, Until) and how many of them converted.
	// The filter's Channel is the channel of the alert.
	CountNotifiedConverted(ctx context.Context, filter ActivityFilter) (notified, converted int, err error)
	// FindConversionTotals sums the conversions the filter selects of
	// orders placed in [Since, Until), per variant and currency, most
	// revenue first. The filter's Channel is the channel of the alert
	// that earned the order.
	FindConversionTotals(ctx context.Context, filter ActivityFilter) ([]ConversionTotal, error)
}
