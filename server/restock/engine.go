package restock

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// DefaultChunkSize is how many subscribers one claim transaction takes.
const DefaultChunkSize = 1000

// maxConflicts bounds how often one trigger decides again after another
// decision about the same variant got there first.
const maxConflicts = 5

// Engine runs the restock rules. Register its handlers with the job queue:
// HandleStockChanged, HandleWaitEnded and HandleBatch.
type Engine struct {
	Store stockbell.RestockStore
	Clock stockbell.Clock
	// ChunkSize is how many subscribers one claim takes (DefaultChunkSize if 0).
	ChunkSize int
	Logger    *slog.Logger
	Metrics   stockbell.RestockMetrics
}

// HandleStockChanged decides what a change of the variant's stock or
// availability does. A variant deleted since, or while it decides, is no
// error.
func (e *Engine) HandleStockChanged(ctx context.Context, job stockbell.VariantStockChangedJob) error {
	return e.decideAndApply(ctx, job.ShopID, job.VariantID, Trigger{})
}

// HandleWaitEnded counts stock again at the end of a waiting period. A job
// for a period since replaced does nothing. A job the queue starts before
// the period's end by the engine's clock (the queue keeps times less
// precisely, and replicas' clocks differ) asks to run again at the end.
func (e *Engine) HandleWaitEnded(ctx context.Context, job stockbell.RestockWaitEndedJob) error {
	until := job.Until.UTC()
	if e.Clock.Now().Before(until) {
		return &stockbell.RetryLaterError{At: until, Reason: "the waiting period has not ended yet"}
	}
	return e.decideAndApply(ctx, job.ShopID, job.VariantID, Trigger{WaitEnded: true, Until: until})
}

// HandleBatch claims one chunk of a batch; the store queues the next one.
func (e *Engine) HandleBatch(ctx context.Context, job stockbell.RestockBatchJob) error {
	size := e.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	shopID, err := stockbell.JobShop(ctx, e.Store, job.ShopID, stockbell.JobRowRestockBatch, job.BatchID)
	if err == nil {
		_, err = e.Store.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: shopID, BatchID: job.BatchID, Chunk: job.Chunk, Limit: size})
	}
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil // the variant and its batches were deleted
	}
	return err
}

// decideAndApply reads the state, decides and applies the decision,
// deciding again when a concurrent decision changed the waiting period.
// A shopID of 0 (a job queued before jobs carried their shop) is looked up.
func (e *Engine) decideAndApply(ctx context.Context, shopID, variantID int64, t Trigger) error {
	shopID, err := stockbell.JobShop(ctx, e.Store, shopID, stockbell.JobRowVariant, variantID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	for range maxConflicts {
		state, err := e.Store.FindRestockState(ctx, shopID, variantID)
		if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		now := e.Clock.Now().UTC()
		d := Decide(*state, now, t)
		err = e.apply(ctx, state, d, t, now)
		switch stockbell.ErrorCode(err) {
		case stockbell.ECONFLICT:
			continue
		case stockbell.ENOTFOUND:
			return nil // deleted since its state was read (its shop erased)
		}
		return err
	}
	return fmt.Errorf("restock: variant %d: decisions kept conflicting", variantID)
}

func (e *Engine) apply(ctx context.Context, s *stockbell.RestockState, d Decision, t Trigger, now time.Time) error {
	id, shopID := s.Variant.ID, s.Variant.ShopID
	switch d.Action {
	case ActSkip:
		detail := map[string]any{"stock": d.Stock, "min_inventory": s.Settings.MinInventory}
		if s.WaitingUntil != nil {
			detail["waiting_until"] = *s.WaitingUntil
		}
		return e.Store.RecordSkip(ctx, shopID, id, d.Reason, detail)
	case ActEndWait:
		_, err := e.Store.EndWait(ctx, stockbell.WaitEnd{ShopID: shopID, VariantID: id, Until: t.Until, Reason: d.Reason, Stock: d.Stock})
		return err
	case ActBatch:
		batch, err := e.Store.StartBatch(ctx, stockbell.BatchStart{ShopID: shopID, VariantID: id, ExpectWaitingUntil: s.WaitingUntil,
			Everyone: d.Everyone, Size: d.Size, Stock: d.Stock, PerUnit: d.PerUnit, Wait: d.Wait,
			WaitEnded: t.WaitEnded, Cutoff: now})
		if err == nil {
			e.metrics().BatchStarted()
			e.logger().Info("restock batch started", "shop", shopID, "variant", id, "batch", batch.ID, "everyone", d.Everyone, "size", d.Size, "stock", d.Stock)
		}
		return err
	}
	return nil
}

func (e *Engine) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

func (e *Engine) metrics() stockbell.RestockMetrics {
	if e.Metrics == nil {
		return noMetrics{}
	}
	return e.Metrics
}
