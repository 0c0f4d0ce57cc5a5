package shopify

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// ProcessReceipts processes receipts claimed together: their inventory
// level changes for installed shops are applied by the store in one batch
// and every other receipt alone, as ProcessReceipt does
// (stockbell.StockReceiptBatch). A level change the batch could not order,
// or whose item is unknown, is then settled as applyLevel settles it.
func (in *Integration) ProcessReceipts(ctx context.Context, rcs []*stockbell.WebhookReceipt, mayStart func() bool) []error {
	return stockbell.StockReceiptBatch{Platform: stockbell.PlatformShopify, Shops: in.Shops, Catalog: in.Catalog, Logger: in.Logger,
		Pick: in.pickLevel, Alone: in.ProcessReceipt}.Process(ctx, rcs, mayStart)
}

// pickLevel returns the change an inventory_levels receipt carries (what
// dispatch would hand to applyLevel). A level with a null available
// carries none: ProcessReceipt reads its item again.
func (in *Integration) pickLevel(ctx context.Context, rc *stockbell.WebhookReceipt, shop *stockbell.Shop) (stockbell.StockChange, stockbell.SettleFunc, bool) {
	switch rc.Topic {
	case TopicInventoryLevelsUpdate, TopicInventoryLevelsConnect, TopicInventoryLevelsDisconnect:
	default:
		return stockbell.StockChange{}, nil, false
	}
	hook, err := ParseWebhook(rc.Topic, rc.Payload)
	if err != nil {
		return stockbell.StockChange{}, nil, false // ProcessReceipt logs and drops it
	}
	if hook.InventoryLevel.untracked(rc.Topic) {
		return stockbell.StockChange{}, nil, false
	}
	change := levelChange(shop, rc, hook.InventoryLevel)
	return change, func(ctx context.Context, result *stockbell.StockResult, err error) error {
		return in.settleLevel(ctx, shop, change, result, err)
	}, true
}
