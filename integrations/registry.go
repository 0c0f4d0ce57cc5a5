// Package integrations holds what every platform integration shares: the
// registry that routes a stored webhook receipt to its platform's
// processor. Each platform lives in its own subpackage and never imports
// another; this package imports none of them either — the server registers
// each platform's processor here, once.
package integrations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	stockbell "github.com/stockbell/stockbell"
)

// ReceiptProcessor does the work of one stored webhook receipt of its
// platform. It returns nil once the receipt needs no more work (including
// a receipt it can never process, which it logs), and an error to be
// retried.
type ReceiptProcessor interface {
	ProcessReceipt(ctx context.Context, r *stockbell.WebhookReceipt) error
}

// BatchReceiptProcessor is a ReceiptProcessor that can also process
// several receipts of its platform together, such as a claim's inventory
// webhooks applied by the store in a few statements. ProcessReceipts
// returns one error per receipt, nil for each done, with the meaning
// ProcessReceipt's has; it asks mayStart before starting each receipt (or
// a batch of them) and returns stockbell.ErrReceiptUnstarted for one it
// did not start because mayStart said no.
type BatchReceiptProcessor interface {
	ReceiptProcessor
	ProcessReceipts(ctx context.Context, rs []*stockbell.WebhookReceipt, mayStart func() bool) []error
}

// Registry routes receipts to processors by platform.
type Registry struct {
	Receipts   stockbell.ReceiptService
	Logger     *slog.Logger
	processors map[stockbell.Platform]ReceiptProcessor
}

// NewRegistry returns an empty registry over the receipt store.
func NewRegistry(receipts stockbell.ReceiptService, logger *slog.Logger) *Registry {
	return &Registry{Receipts: receipts, Logger: logger, processors: map[stockbell.Platform]ReceiptProcessor{}}
}

// Register makes p the processor of the platform's receipts.
func (r *Registry) Register(platform stockbell.Platform, p ReceiptProcessor) {
	r.processors[platform] = p
}

// ProcessReceipt is the handler of stockbell.ProcessReceiptJob, which
// processes one receipt by id: it claims the receipt (one the drainer holds
// or has processed is left to it), runs its platform's processor and marks
// it processed. After a failure the receipt is claimable again at once and
// the error makes the job retry. A receipt erased meanwhile (its shop was
// redacted) is done.
func (r *Registry) ProcessReceipt(ctx context.Context, job stockbell.ProcessReceiptJob) error {
	rc, err := r.Receipts.ClaimReceipt(ctx, job.ReceiptID, DefaultLease)
	switch stockbell.ErrorCode(err) {
	case "":
	case stockbell.ENOTFOUND, stockbell.ECONFLICT:
		return nil
	default:
		return err
	}
	if err := r.process(ctx, rc); err != nil {
		return errors.Join(err, r.Receipts.RetryReceipt(ctx, rc.ID, 0, err.Error()))
	}
	err = r.Receipts.MarkReceiptProcessed(ctx, rc.ID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	}
	return err
}

// process runs the receipt's platform processor.
func (r *Registry) process(ctx context.Context, rc *stockbell.WebhookReceipt) error {
	p, ok := r.processors[rc.Platform]
	if !ok {
		r.Logger.ErrorContext(ctx, "no processor for webhook platform", "platform", rc.Platform, "receipt", rc.ID)
		return fmt.Errorf("integrations: no processor registered for platform %q", rc.Platform)
	}
	if err := p.ProcessReceipt(ctx, rc); err != nil {
		return fmt.Errorf("process %s receipt %d (%s): %w", rc.Platform, rc.ID, rc.Topic, err)
	}
	return nil
}

// batchProcessor returns the platform's processor when it processes
// receipts together.
func (r *Registry) batchProcessor(platform stockbell.Platform) (BatchReceiptProcessor, bool) {
	p, ok := r.processors[platform].(BatchReceiptProcessor)
	return p, ok
}

// processTogether runs the batch processor on receipts of its platform.
func (r *Registry) processTogether(ctx context.Context, p BatchReceiptProcessor, rcs []*stockbell.WebhookReceipt, mayStart func() bool) []error {
	errs := p.ProcessReceipts(ctx, rcs, mayStart)
	for i, err := range errs {
		if err != nil {
			errs[i] = fmt.Errorf("process %s receipt %d (%s): %w", rcs[i].Platform, rcs[i].ID, rcs[i].Topic, err)
		}
	}
	return errs
}
