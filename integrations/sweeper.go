package integrations

import (
	"context"
	"log/slog"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// The receipt sweep's settings.
const (
	// SweepInterval is how often the sweep runs (a periodic job, inserted
	// by the elected leader alone).
	SweepInterval = time.Hour
	// SweepBatch is how many receipts one statement of the sweep deletes:
	// each statement is a short transaction of its own, so the sweep never
	// holds a lock for long.
	SweepBatch = 2000
	// SweepBudget is how long one run keeps starting statements; what
	// remains is left to the next run.
	SweepBudget = time.Minute
	// SweepTimeout is the sweep job's timeout: its budget plus a
	// statement's worth of time, so that a run ends by its budget rather
	// than being cancelled.
	SweepTimeout = SweepBudget + time.Minute
)

// ReceiptSweeper deletes processed receipts once they are older than
// their retention (stockbell.DefaultReceiptRetention), with their payloads.
type ReceiptSweeper struct {
	Receipts stockbell.ReceiptService
	// Retention defaults to stockbell.DefaultReceiptRetention.
	Retention time.Duration
	Clock     stockbell.Clock
	Logger    *slog.Logger
}

// Sweep handles a SweepReceiptsJob: it deletes the receipts processed
// before the retention's cutoff, SweepBatch at a time, until a statement
// finds fewer or SweepBudget has passed.
func (s *ReceiptSweeper) Sweep(ctx context.Context, _ stockbell.SweepReceiptsJob) error {
	cutoff := s.Clock.Now().Add(-s.retention())
	started := time.Now()
	total := 0
	for {
		n, err := s.Receipts.DeleteProcessedReceipts(ctx, cutoff, SweepBatch)
		total += n
		if err != nil {
			return err
		}
		if n < SweepBatch || time.Since(started) >= SweepBudget {
			break
		}
	}
	if total > 0 {
		s.Logger.InfoContext(ctx, "processed webhook receipts deleted", "count", total, "processed_before", cutoff)
	}
	return nil
}

func (s *ReceiptSweeper) retention() time.Duration {
	return orDefault(s.Retention, stockbell.DefaultReceiptRetention)
}
