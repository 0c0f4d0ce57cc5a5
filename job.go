package stockbell

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// JobArgs is the payload of a durable job. Its Kind names the worker that
// runs it; its fields are stored as JSON. (This is the same method set as
// River's JobArgs, so job arguments declared here go straight to the queue.)
type JobArgs interface {
	Kind() string
}

// JobOptions tune one insertion; the zero value runs the job as soon as possible.
type JobOptions struct {
	// ScheduledAt delays the job until that time.
	ScheduledAt time.Time
	// UniqueByArgs drops the insertion when a job of the same kind and
	// arguments is already waiting or running. A running job counts, so it
	// suits work that reads its state afresh when it runs again later (a
	// sync), not a request to act on a change the running job may not see
	// — except for the catalog syncs (of every platform and the feed, and
	// the read of a Shopify product's variants): one asked for while the
	// same sync runs makes that sync run once more when it ends, even
	// when it ends failing its last attempt, so a change it may have read
	// past is still read.
	UniqueByArgs bool
	// NoRerun, with UniqueByArgs, drops an insertion that finds the same
	// catalog sync running without asking it to run once more: for a
	// periodic sync, which has no change to make sure of, and for which
	// the sync running (an install's, say) is as fresh.
	NoRerun bool
	// MaxAttempts overrides the queue's default number of tries.
	MaxAttempts int
}

// JobQueue inserts durable jobs. Jobs are inserted in the caller's
// transaction so that they exist exactly when the state that caused them does:
// a rolled-back transaction leaves no job behind.
type JobQueue interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args JobArgs, opts *JobOptions) error
}

// JobInserter inserts a job outside any transaction of the caller's, for
// work that is not caused by state the caller writes (a job fanning out
// into one job per shop, say).
type JobInserter interface {
	Insert(ctx context.Context, args JobArgs, opts *JobOptions) error
}

// VariantStockChangedJob tells the restock engine that a variant's stock or
// availability changed. The catalog inserts it in the transaction that
// applied the change, so a crash between the two cannot lose a restock. A
// stock change leaves none when no one is queued for the variant: the
// engine would decide to do nothing, and a subscription queued later
// queues its own when the variant is purchasable then.
type VariantStockChangedJob struct {
	// ShopID is the variant's shop (0 in a job queued before jobs carried
	// their shop: see JobShop).
	ShopID    int64 `json:"shop_id,omitempty"`
	VariantID int64 `json:"variant_id"`
}

// Kind implements JobArgs.
func (VariantStockChangedJob) Kind() string { return "variant_stock_changed" }

// JobRow names the kind of row a job's arguments point at by id.
type JobRow string

// The rows jobs name.
const (
	JobRowVariant         JobRow = "variant"
	JobRowRestockBatch    JobRow = "restock_batch"
	JobRowMessage         JobRow = "message"
	JobRowWebhookEndpoint JobRow = "webhook_endpoint"
	JobRowReportDelivery  JobRow = "report_delivery"
)

// JobShops finds the shop of a row a job names, for jobs queued before job
// arguments carried their shop id: such a job may still wait in the queue
// after an upgrade, and must still run. Nothing a request chose reaches it.
type JobShops interface {
	// FindJobRowShop returns the id of the shop owning the row. Returns
	// ENOTFOUND when the row is gone, EINVALID for an unknown kind of row.
	FindJobRowShop(ctx context.Context, row JobRow, id int64) (int64, error)
}

// JobShop returns a job's shop id: shopID as the job carries it, or, when
// that is 0 (the job was queued before jobs carried their shop), the shop
// of the row the job names, looked up once.
func JobShop(ctx context.Context, shops JobShops, shopID int64, row JobRow, id int64) (int64, error) {
	if shopID != 0 {
		return shopID, nil
	}
	return shops.FindJobRowShop(ctx, row, id)
}

// ShopFinder finds a shop by its id; ENOTFOUND when it is not stored
// (never installed, or erased).
type ShopFinder interface {
	FindShopByID(ctx context.Context, id int64) (*Shop, error)
}

// EndIfShopErased is the outcome of a shop's job that ended with err: nil
// when the shop was erased while the job ran (its writes then fail,
// mostly with ENOTFOUND, and a retry would find nothing to do), err
// otherwise. A job for a shop gone ends quietly: no error, no retry, and
// nothing recorded for a shop no longer stored. The shop is looked up only
// after a failure.
func EndIfShopErased(ctx context.Context, shops ShopFinder, shopID int64, err error) error {
	if err == nil || shopID == 0 {
		return err
	}
	if _, findErr := shops.FindShopByID(ctx, shopID); ErrorCode(findErr) == ENOTFOUND {
		return nil
	}
	return err
}

// RetryLaterError asks the job queue to run the job again at At without
// counting a failed attempt: the job could not start its work yet (another
// runner holds what it needs until then).
type RetryLaterError struct {
	At     time.Time
	Reason string
}

// Error implements the error interface.
func (e *RetryLaterError) Error() string {
	return e.Reason + " (retry at " + e.At.UTC().Format(time.RFC3339) + ")"
}

// JobStopped reports whether the running job's context was cancelled
// rather than ended by the job's timeout: the process is stopping (or the
// job was cancelled). What failed then was cut short, not refused: the
// queue runs the job again without counting the attempt, so a handler
// records no failure for it, not even on its last attempt.
func JobStopped(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled)
}

// jobAttemptKey carries the running job's attempt number in its context.
type jobAttemptKey struct{}

// WithJobAttempt returns ctx carrying the attempt number of the job being
// run (1 for its first try); the job queue sets it for every handler.
func WithJobAttempt(ctx context.Context, attempt int) context.Context {
	return context.WithValue(ctx, jobAttemptKey{}, attempt)
}

// JobAttempt returns the running job's attempt number (1 for its first
// try), or 0 outside the job queue.
func JobAttempt(ctx context.Context) int {
	n, _ := ctx.Value(jobAttemptKey{}).(int)
	return n
}

// jobPostponementsKey carries how often the running job was put off.
type jobPostponementsKey struct{}

// WithJobPostponements returns ctx carrying how many times the job being
// run was put off by its handler's RetryLaterError (a sync run again
// because it was asked for while it ran is not put off: it waits for
// nothing); the job queue sets it for every handler.
func WithJobPostponements(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, jobPostponementsKey{}, n)
}

// JobPostponements returns how many times the running job was put off by
// a RetryLaterError, over its whole life, or 0 outside the job queue. A
// handler that waits for something by RetryLaterError bounds its wait
// with it.
func JobPostponements(ctx context.Context) int {
	n, _ := ctx.Value(jobPostponementsKey{}).(int)
	return n
}
