package shopify

import (
	"context"
	"sync"

	stockbell "github.com/stockbell/stockbell"
)

// receiptWorkers is how many receipts of a claim ProcessReceipts processes
// one at a time at once, and how many level changes it settles at once
// after the batch: those may read Shopify's Admin API, whose latency is
// the platform's, not the database's.
const receiptWorkers = 4

// levelReceipt is a claimed inventory_levels receipt of an active shop and
// the change it carries.
type levelReceipt struct {
	index  int
	rc     *stockbell.WebhookReceipt
	shop   *stockbell.Shop
	change stockbell.StockChange
}

// ProcessReceipts processes receipts claimed together: their inventory
// level changes for installed shops are applied by the store in one batch
// (CatalogService.ApplyStockChanges), and every other receipt one at a
// time, as ProcessReceipt does (receiptWorkers at once). A level change
// the batch could not order or whose item is unknown is then settled on
// its own (settleLevel). If the batch fails as a whole, its receipts are
// processed one at a time. It returns each receipt's error, nil for those
// done.
func (in *Integration) ProcessReceipts(ctx context.Context, rcs []*stockbell.WebhookReceipt) []error {
	errs := make([]error, len(rcs))
	levels := in.levelReceipts(ctx, rcs)
	batched := make([]bool, len(rcs))
	for _, l := range levels {
		batched[l.index] = true
	}
	var single []int
	for i := range rcs {
		if !batched[i] {
			single = append(single, i)
		}
	}
	inParallel(single, func(i int) { errs[i] = in.ProcessReceipt(ctx, rcs[i]) })
	if len(levels) == 0 {
		return errs
	}
	changes := make([]stockbell.StockChange, len(levels))
	for i, l := range levels {
		changes[i] = l.change
	}
	outcomes, err := in.Catalog.ApplyStockChanges(ctx, changes)
	if err != nil {
		in.Logger.WarnContext(ctx, "shopify stock changes failed as a batch; processed one at a time", "changes", len(changes), "err", err)
		inParallel(levels, func(l levelReceipt) { errs[l.index] = in.ProcessReceipt(ctx, l.rc) })
		return errs
	}
	// Most outcomes need nothing more; the others may read the Admin API.
	var followUps []int
	for i, o := range outcomes {
		if o.Err != nil || o.Result.Reread {
			followUps = append(followUps, i)
		}
	}
	inParallel(followUps, func(i int) {
		l := levels[i]
		errs[l.index] = in.settleLevel(ctx, l.shop, l.change, outcomes[i].Result, outcomes[i].Err)
	})
	return errs
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

// levelReceipts picks out the receipts that are inventory level changes
// of installed shops (what dispatch would hand to applyLevel), looking
// each shop up once.
func (in *Integration) levelReceipts(ctx context.Context, rcs []*stockbell.WebhookReceipt) []levelReceipt {
	shops := map[string]*stockbell.Shop{}
	var levels []levelReceipt
	for i, rc := range rcs {
		if !isLevelTopic(rc.Topic) {
			continue
		}
		hook, err := ParseWebhook(rc.Topic, rc.Payload)
		if err != nil {
			continue // ProcessReceipt logs and drops it
		}
		shop, seen := shops[rc.Domain]
		if !seen {
			shop, err = in.Shops.FindShopByDomain(ctx, stockbell.PlatformShopify, rc.Domain)
			if err != nil {
				shop = nil // ProcessReceipt looks it up again and says why
			}
			shops[rc.Domain] = shop
		}
		if shop == nil || !shop.Active() {
			continue
		}
		levels = append(levels, levelReceipt{index: i, rc: rc, shop: shop, change: levelChange(shop, rc, hook.InventoryLevel)})
	}
	return levels
}

func isLevelTopic(topic string) bool {
	switch topic {
	case TopicInventoryLevelsUpdate, TopicInventoryLevelsConnect, TopicInventoryLevelsDisconnect:
		return true
	}
	return false
}
