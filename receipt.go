package stockbell

import (
	"context"
	"time"
)

// WebhookReceipt is one verified webhook received from a platform, stored
// before it is acknowledged and processed later by the receipts' drainer.
// ("Delivery" is the word for outbound messages; what platforms send us is
// a receipt.)
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
	// Attempts counts the times the receipt was claimed for processing.
	Attempts int `db:"attempts" json:"attempts"`
	// PayloadDomain is the shop the signed body itself names, for topics
	// whose body names one (Shopify's compliance topics and
	// app/uninstalled, say). Platforms sign bodies, not the headers Domain
	// comes from, so server/web refuses a receipt whose PayloadDomain is set
	// and differs from Domain. Not stored.
	PayloadDomain string `db:"-" json:"-"`
}

// ProcessReceiptJob processes one stored webhook receipt. Receipts are
// drained in batches without a job each (ReceiptQueue); the job kind stays
// for the jobs queued before that, and for processing one receipt by id.
type ProcessReceiptJob struct {
	ReceiptID int64 `json:"receipt_id"`
}

// Kind implements JobArgs.
func (ProcessReceiptJob) Kind() string { return "process_receipt" }

// DefaultReceiptRetention is how long a processed receipt is kept after its
// processing (STOCKBELL_RECEIPT_RETENTION changes it), for deduplication:
// a platform's retry of an event still kept is recognised and stored once.
// It is well beyond the longest retry window of the platforms (BigCommerce
// retries for about 48 hours; Shopify for 4 hours, at most 48 by its older
// schedule; the Magento module for about 42 hours, 48 attempts at most an
// hour apart; the PrestaShop module posts once), so a late retry is never
// taken for a new event. Pending receipts are kept until they are
// processed, however old.
const DefaultReceiptRetention = 7 * 24 * time.Hour

// MinReceiptRetention is the shortest retention allowed: the longest retry
// window (about 48 hours) and a day to spare.
const MinReceiptRetention = 72 * time.Hour

// SweepReceiptsJob deletes the receipts processed more than their
// retention ago, with their payloads (which may hold customers' personal
// data, such as an order's addresses).
type SweepReceiptsJob struct{}

// Kind implements JobArgs.
func (SweepReceiptsJob) Kind() string { return "sweep_receipts" }

// ReceiptService stores webhook receipts durably and hands them out for
// processing.
type ReceiptService interface {
	// RecordReceipt stores the receipt, pending processing, and returns
	// once it is committed. A receipt without a shop id gets the id of the
	// platform's shop of its domain, if there is one. A receipt seen before
	// (same platform, domain and event id) returns created=false, stores
	// nothing and sets r.ID to the stored one. Returns EINVALID for an
	// unknown platform or a missing domain, event id or topic.
	RecordReceipt(ctx context.Context, r *WebhookReceipt) (created bool, err error)
	// FindReceipt returns ENOTFOUND.
	FindReceipt(ctx context.Context, id int64) (*WebhookReceipt, error)
	// MarkReceiptProcessed records that the receipt's work is done; marking
	// it again keeps the first time. Returns ENOTFOUND.
	MarkReceiptProcessed(ctx context.Context, id int64) error
	// DeleteProcessedReceipts deletes up to limit receipts processed
	// before processedBefore, oldest first, in one short transaction, and
	// returns how many. Pending receipts are never deleted. Returns
	// EINVALID for a limit the store does not take.
	DeleteProcessedReceipts(ctx context.Context, processedBefore time.Time, limit int) (int, error)
	ReceiptQueue
}

// ReceiptQueue hands stored receipts to the processes that work on them.
// A claim leases a receipt for a while: no other claim takes it until the
// lease ends, so replicas sharing a database never process one receipt at
// the same time, and a receipt whose claimer died is claimed again once
// its lease ends.
type ReceiptQueue interface {
	// ClaimReceipts leases up to limit pending receipts (not processed,
	// not leased, not waiting for a retry), oldest first, for lease.
	ClaimReceipts(ctx context.Context, limit int, lease time.Duration) ([]*WebhookReceipt, error)
	// ClaimReceipt leases one receipt by id for lease. Returns ENOTFOUND
	// for no such receipt and ECONFLICT when it is processed, leased or
	// waiting for a retry.
	ClaimReceipt(ctx context.Context, id int64, lease time.Duration) (*WebhookReceipt, error)
	// MarkReceiptsProcessed records that the receipts' work is done, in one
	// transaction; a receipt marked before keeps its first time, and ids
	// not found are skipped.
	MarkReceiptsProcessed(ctx context.Context, ids []int64) error
	// RetryReceipt ends the receipt's lease after a failure: it is claimable
	// again after the delay, and reason is kept as its last error. Returns
	// ENOTFOUND.
	RetryReceipt(ctx context.Context, id int64, after time.Duration, reason string) error
	// ReceiptsStored is signalled (without blocking) after receipts are
	// stored by this process, so that a drainer waiting for work wakes.
	ReceiptsStored() <-chan struct{}
}
