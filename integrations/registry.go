// Package integrations holds what every platform integration shares: the
// registry that routes a stored webhook delivery to its platform's
// processor. Each platform lives in its own subpackage and never imports
// another; this package imports none of them either — the server registers
// each platform's processor here.
package integrations

import (
	"context"
	"fmt"
	"log/slog"

	stockbell "github.com/stockbell/stockbell"
)

// DeliveryProcessor does the work of one stored webhook delivery of its
// platform. It returns nil once the delivery needs no more work (including
// a delivery it can never process, which it logs), and an error to be
// retried.
type DeliveryProcessor interface {
	ProcessDelivery(ctx context.Context, d *stockbell.WebhookDelivery) error
}

// Registry routes deliveries to processors by platform.
type Registry struct {
	Deliveries stockbell.WebhookService
	Logger     *slog.Logger
	processors map[stockbell.Platform]DeliveryProcessor
}

// NewRegistry returns an empty registry over the delivery store.
func NewRegistry(deliveries stockbell.WebhookService, logger *slog.Logger) *Registry {
	return &Registry{Deliveries: deliveries, Logger: logger, processors: map[stockbell.Platform]DeliveryProcessor{}}
}

// Register makes p the processor of the platform's deliveries.
func (r *Registry) Register(platform stockbell.Platform, p DeliveryProcessor) {
	r.processors[platform] = p
}

// ProcessWebhook is the handler of stockbell.ProcessWebhookJob: it loads
// the delivery, skips it when already processed, runs its platform's
// processor and marks it processed. A delivery erased meanwhile (its shop
// was redacted) is done.
func (r *Registry) ProcessWebhook(ctx context.Context, job stockbell.ProcessWebhookJob) error {
	d, err := r.Deliveries.FindDelivery(ctx, job.DeliveryID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if d.ProcessedAt != nil {
		return nil
	}
	p, ok := r.processors[d.Platform]
	if !ok {
		r.Logger.ErrorContext(ctx, "no processor for webhook platform", "platform", d.Platform, "delivery", d.ID)
		return fmt.Errorf("integrations: no processor registered for platform %q", d.Platform)
	}
	if err := p.ProcessDelivery(ctx, d); err != nil {
		return fmt.Errorf("process %s delivery %d (%s): %w", d.Platform, d.ID, d.Topic, err)
	}
	err = r.Deliveries.MarkDeliveryProcessed(ctx, d.ID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	}
	return err
}
