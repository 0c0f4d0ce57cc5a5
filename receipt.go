package stockbell

import (
	"context"
	"time"
)

// WebhookReceipt is one verified webhook received from a platform, stored
// before it is acknowledged and processed later in a job. ("Delivery" is the
// word for outbound messages; what platforms send us is a receipt.)
type WebhookReceipt struct {
	ID       int64    `db:"id" json:"id"`
	Platform Platform `db:"platform" json:"platform"`
	ShopID   *int64   `db:"shop_id" json:"shop_id,omitempty"`
	// Domain is the shop as the webhook names it.
	Domain string `db:"domain" json:"domain"`
	// EventID is the platform's id for the event; receipts are deduplicated
	// on (platform, domain, event id), so a platform's retry is stored once.
	EventID     string     `db:"event_id" json:"event_id"`
	Topic       string     `db:"topic" json:"topic"`
	Payload     []byte     `db:"payload" json:"-"`
	TriggeredAt time.Time  `db:"triggered_at" json:"triggered_at"`
	ReceivedAt  time.Time  `db:"received_at" json:"received_at"`
	ProcessedAt *time.Time `db:"processed_at" json:"processed_at,omitempty"`
	// PayloadDomain is the shop the signed body itself names, for topics
	// whose body names one (Shopify's compliance topics and
	// app/uninstalled, say). Platforms sign bodies, not the headers Domain
	// comes from, so server/web refuses a receipt whose PayloadDomain is set
	// and differs from Domain. Not stored.
	PayloadDomain string `db:"-" json:"-"`
}

// ProcessReceiptJob processes one stored webhook receipt.
type ProcessReceiptJob struct {
	ReceiptID int64 `json:"receipt_id"`
}

// Kind implements JobArgs.
func (ProcessReceiptJob) Kind() string { return "process_receipt" }

// ReceiptService stores webhook receipts durably.
type ReceiptService interface {
	// RecordReceipt stores the receipt and inserts a ProcessReceiptJob in
	// the same transaction. A receipt seen before (same platform, domain and
	// event id) returns created=false, inserts nothing and sets r.ID to the
	// stored one. Returns EINVALID for an unknown platform or a missing
	// domain, event id or topic.
	RecordReceipt(ctx context.Context, r *WebhookReceipt) (created bool, err error)
	// FindReceipt returns ENOTFOUND.
	FindReceipt(ctx context.Context, id int64) (*WebhookReceipt, error)
	// MarkReceiptProcessed records that the receipt's work is done; marking
	// it again keeps the first time. Returns ENOTFOUND.
	MarkReceiptProcessed(ctx context.Context, id int64) error
}
