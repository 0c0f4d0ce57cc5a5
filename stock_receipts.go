package stockbell

import (
	"context"
	"errors"
	"log/slog"
	"sync"
)

// ErrReceiptUnstarted is the outcome of a claimed receipt whose processing
// was not started because it could no longer start: its claim's lease was
// half over, or the drainer was stopping. The drainer releases it to be
// claimed again at once; it is not a failure.
var ErrReceiptUnstarted = errors.New("released unstarted: the claim's lease was ending or the drainer stopping")

// receiptWorkers is how many receipts of a claim StockReceiptBatch
// processes alone at once, and how many changes it settles at once after
// the batch: those may call the platform's API, whose latency is the
// platform's, not the database's.
const receiptWorkers = 4

// SettleFunc finishes a stock change after the store applied it or could
// not: it is called with the change's outcome when that outcome is an
// error (ENOTFOUND for an item the catalog does not know, say) or asks for
// the level to be read again (StockResult.NeedsReread).
type SettleFunc func(ctx context.Context, result *StockResult, err error) error

// StockReceiptBatch is how a platform processes a claim of its webhook
// receipts together: the stock changes they carry for installed shops are
// applied by the store in one batch (CatalogService.ApplyStockChanges),
// with the outcomes ApplyStockChange would give them one after another;
// every other receipt is processed alone, as before.
type StockReceiptBatch struct {
	Platform Platform
	Shops    ShopService
	Catalog  CatalogService
	Logger   *slog.Logger
	// Pick returns the stock change a receipt of an installed shop
	// carries, and how to settle it; false leaves the receipt to Alone
	// (another topic, a payload it cannot read).
	Pick func(ctx context.Context, rc *WebhookReceipt, shop *Shop) (StockChange, SettleFunc, bool)
	// Alone processes one receipt by itself (the platform's
	// ProcessReceipt).
	Alone func(ctx context.Context, rc *WebhookReceipt) error
}

// pickedReceipt is a receipt of the claim whose change goes in the batch.
type pickedReceipt struct {
	index  int
	change StockChange
	settle SettleFunc
}

// Process processes the claim's receipts and returns each one's error, nil
// for those done. The receipts Pick leaves are processed alone (four at
// once); the picked changes are applied together, then those whose outcome
// needs it are settled (four at once). If the batch fails as a whole, its
// receipts are processed alone.
//
// mayStart reports whether a receipt not yet started may still start (the
// drainer's rule: only in the first half of the claim's lease). It is
// asked before each receipt processed alone and before the batch: work
// that waits on a platform's API can outlast the lease, and a receipt
// started after it ended may be claimed and processed by another replica
// at the same time. A receipt not started gets ErrReceiptUnstarted. A
// picked change that was applied is settled whatever mayStart says: its
// receipt was started, and a re-read skipped now would not be asked for
// again (the change would be a duplicate the next time).
func (b StockReceiptBatch) Process(ctx context.Context, rcs []*WebhookReceipt, mayStart func() bool) []error {
	errs := make([]error, len(rcs))
	alone := func(i int) {
		if !mayStart() {
			errs[i] = ErrReceiptUnstarted
			return
		}
		errs[i] = b.Alone(ctx, rcs[i])
	}
	picked, leftAlone := b.pick(ctx, rcs)
	inParallel(leftAlone, alone)
	if len(picked) == 0 {
		return errs
	}
	if !mayStart() {
		for _, p := range picked {
			errs[p.index] = ErrReceiptUnstarted
		}
		return errs
	}
	changes := make([]StockChange, len(picked))
	for i, p := range picked {
		changes[i] = p.change
	}
	outcomes, err := b.Catalog.ApplyStockChanges(ctx, changes)
	if err != nil {
		b.Logger.WarnContext(ctx, "stock changes failed as a batch; processed one at a time", "platform", b.Platform,
			"changes", len(changes), "err", err)
		inParallel(picked, func(p pickedReceipt) { alone(p.index) })
		return errs
	}
	var unsettled []int
	for i, o := range outcomes {
		if o.Err != nil || o.Result.NeedsReread() {
			unsettled = append(unsettled, i)
		}
	}
	inParallel(unsettled, func(i int) {
		errs[picked[i].index] = picked[i].settle(ctx, outcomes[i].Result, outcomes[i].Err)
	})
	return errs
}

// pick sorts the claim into the receipts whose change goes in the batch
// and the indexes of those processed alone, looking each shop up once. A
// receipt of a shop that is unknown, uninstalled or could not be read is
// processed alone, which says why.
func (b StockReceiptBatch) pick(ctx context.Context, rcs []*WebhookReceipt) ([]pickedReceipt, []int) {
	shops := map[string]*Shop{}
	var picked []pickedReceipt
	var alone []int
	for i, rc := range rcs {
		shop, seen := shops[rc.Domain]
		if !seen {
			found, err := b.Shops.FindShopByDomain(ctx, b.Platform, rc.Domain)
			if err == nil && found.Active() {
				shop = found
			}
			shops[rc.Domain] = shop
		}
		if shop != nil {
			if change, settle, ok := b.Pick(ctx, rc, shop); ok {
				picked = append(picked, pickedReceipt{index: i, change: change, settle: settle})
				continue
			}
		}
		alone = append(alone, i)
	}
	return picked, alone
}

// inParallel calls fn on each item, receiptWorkers at once.
func inParallel[T any](items []T, fn func(T)) {
	next := make(chan T)
	var wg sync.WaitGroup
	for range min(receiptWorkers, len(items)) {
		wg.Go(func() {
			for item := range next {
				fn(item)
			}
		})
	}
	for _, item := range items {
		next <- item
	}
	close(next)
	wg.Wait()
}
