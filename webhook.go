package stockbell

import (
	"context"
	"time"
)

// WebhookDelivery is one verified delivery from a platform, stored before it
// is acknowledged and processed later in a job.
type WebhookDelivery struct {
	ID       int64    `db:"id" json:"id"`
	Platform Platform `db:"platform" json:"platform"`
	ShopID   *int64   `db:"shop_id" json:"shop_id,omitempty"`
	// Domain is the shop as the delivery names it.
	Domain string `db:"domain" json:"domain"`
	// DeliveryID is the platform's id for the event; deliveries are
	// deduplicated on (platform, domain, delivery id).
	DeliveryID  string     `db:"delivery_id" json:"delivery_id"`
	Topic       string     `db:"topic" json:"topic"`
	Payload     []byte     `db:"payload" json:"-"`
	TriggeredAt time.Time  `db:"triggered_at" json:"triggered_at"`
	ReceivedAt  time.Time  `db:"received_at" json:"received_at"`
	ProcessedAt *time.Time `db:"processed_at" json:"processed_at,omitempty"`
}

// ProcessWebhookJob processes one stored webhook delivery.
type ProcessWebhookJob struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind implements JobArgs.
func (ProcessWebhookJob) Kind() string { return "process_webhook" }

// WebhookService stores deliveries durably.
type WebhookService interface {
	// RecordDelivery stores the delivery and inserts a ProcessWebhookJob in
	// the same transaction. A delivery seen before returns created=false and
	// inserts nothing.
	RecordDelivery(ctx context.Context, d *WebhookDelivery) (created bool, err error)
	// FindDelivery returns ENOTFOUND.
	FindDelivery(ctx context.Context, id int64) (*WebhookDelivery, error)
	// MarkDeliveryProcessed records that the delivery's work is done.
	MarkDeliveryProcessed(ctx context.Context, id int64) error
}
