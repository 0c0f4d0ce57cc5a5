package store

import (
	"context"
	"encoding/json"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// feedChange is a stored item and what the feed now lists for it.
type feedChange struct {
	old  storedFeedItem
	item stockbell.FeedItem
	// republished: it was unpublished or deleted; untracked: its stock was
	// not tracked, or it could be bought sold out; described: its title,
	// link, image or price changed.
	republished, untracked, described bool
	// stock is the variant's stock after the batch.
	stock int
}

func newFeedChange(old storedFeedItem, item stockbell.FeedItem) feedChange {
	return feedChange{old: old, item: item, stock: old.Stock,
		republished: !old.Published || old.Deleted,
		untracked:   !old.Tracked || old.Policy != stockbell.InventoryDeny,
		described:   old.Title != item.Title || old.Link != item.Link || old.ImageURL != item.ImageURL || old.Price != item.Price}
}

// rewritten tells whether the item's product or variant fields are written.
func (c *feedChange) rewritten() bool { return c.republished || c.described || c.untracked }

// updateFeedItems writes what changed of the batch's stored items, a
// statement per kind of change for the whole batch: products republished
// or described anew, variants described anew, the read levels ordered
// against the stored ones, the stocks they change. Items whose stock or
// publication changed get a stock_changed event, and a job for the
// restock engine when someone is queued for them.
func updateFeedItems(ctx context.Context, tx *Tx, batch stockbell.FeedBatch, stored []feedChange, result *stockbell.FeedApplyResult) error {
	var changes []feedChange
	for _, c := range stored {
		if c.rewritten() || c.old.Stock != c.item.Quantity {
			changes = append(changes, c)
		}
		if c.rewritten() {
			result.Updated++
		}
	}
	if len(changes) == 0 {
		return nil
	}
	if err := lockFeedVariants(ctx, tx, changes); err != nil {
		return err
	}
	if err := rewriteFeedProducts(ctx, tx, changes); err != nil {
		return err
	}
	if err := rewriteFeedVariants(ctx, tx, changes); err != nil {
		return err
	}
	if err := settleFeedLevels(ctx, tx, batch, changes); err != nil {
		return err
	}
	return recordFeedStockChanges(ctx, tx, batch.ShopID, changes, result)
}

// rewriteFeedProducts republishes and describes anew the products of the
// changes that need it.
func rewriteFeedProducts(ctx context.Context, tx *Tx, changes []feedChange) error {
	tx.catalogChanged = true
	var ids []int64
	var titles, links, images []string
	for _, c := range changes {
		if c.republished || c.described {
			ids, titles, links, images = append(ids, c.old.ProductID), append(titles, c.item.Title), append(links, c.item.Link), append(images, c.item.ImageURL)
		}
	}
	rows := newRowSet("item").int64s("pid", ids).texts("title", titles).texts("url", links).texts("image_url", images)
	now := tx.db.now()
	return rows.each(tx, func(with string, args []any, _, _ int) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`WITH `+with+` UPDATE products SET title = item.title, url = item.url,
			image_url = item.image_url, published = ?, deleted = ?, updated_at = ? FROM item WHERE products.id = item.pid`),
			append(args, true, false, now)...)
		return err
	})
}

// rewriteFeedVariants describes anew (and tracks, denying sales when sold
// out) the variants of the changes that need it.
func rewriteFeedVariants(ctx context.Context, tx *Tx, changes []feedChange) error {
	tx.catalogChanged = true
	var ids []int64
	var titles, links, images, prices []string
	for _, c := range changes {
		if c.described || c.untracked {
			ids, titles, links = append(ids, c.old.VariantID), append(titles, c.item.Title), append(links, c.item.Link)
			images, prices = append(images, c.item.ImageURL), append(prices, c.item.Price)
		}
	}
	rows := newRowSet("item").int64s("vid", ids).texts("title", titles).texts("url", links).texts("image_url", images).texts("price", prices)
	now := tx.db.now()
	return rows.each(tx, func(with string, args []any, _, _ int) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`WITH `+with+` UPDATE variants SET title = item.title, url = item.url,
			image_url = item.image_url, price = item.price, tracked = ?, inventory_policy = ?, updated_at = ?
			FROM item WHERE variants.id = item.vid`), append(args, true, stockbell.InventoryDeny, now)...)
		return err
	})
}

// lockFeedVariants locks, on PostgreSQL, the changed items' variants for
// update, in id order, before anything of theirs is written: the batch
// reads their queues at its end (recordFeedStockChanges) and must hold
// the locks from before that read, as a stock change does (see
// recordStockChange); and taken in id order, as stock changes take theirs
// (lockVariantsForChanges), the locks cannot deadlock with those.
func lockFeedVariants(ctx context.Context, tx *Tx, changes []feedChange) error {
	ids := make([]int64, len(changes))
	for i, c := range changes {
		ids[i] = c.old.VariantID
	}
	return lockVariantsInOrder(ctx, tx, ids)
}

// recordFeedStockChanges adds a stock_changed event for each change whose
// stock or publication changed, and counts them; a job tells the restock
// engine of those someone is queued for (its decision for the others
// would be to do nothing), read under the locks lockFeedVariants took.
func recordFeedStockChanges(ctx context.Context, tx *Tx, shopID int64, changes []feedChange, result *stockbell.FeedApplyResult) error {
	var events stockChangedEvents
	for _, c := range changes {
		if c.stock == c.old.Stock && !c.republished && !c.untracked {
			continue
		}
		if c.stock != c.old.Stock && !c.rewritten() {
			result.Updated++
		}
		result.StockChanged++
		events.add(c.old.VariantID, EventDetail{"old_stock": c.old.Stock, "new_stock": c.stock, "location_id": stockbell.DefaultLocation,
			"available": c.item.Quantity, "source": stockbell.FeedSource, "republished": c.republished})
	}
	if len(events) == 0 {
		return nil
	}
	if err := events.insert(ctx, tx, shopID); err != nil {
		return err
	}
	return insertQueuedStockJobs(ctx, tx, shopID, events.variantIDs())
}

// stockChangedEvents gathers the stock_changed events of a write that
// changes many variants' stock, to be written in one statement, stamped
// alike, with the outbound webhooks that report them (insert).
type stockChangedEvents []reportedEvent

func (e *stockChangedEvents) add(variantID int64, detail EventDetail) {
	*e = append(*e, reportedEvent{Kind: stockbell.EventStockChanged, VariantID: &variantID, Detail: detail})
}

func (e stockChangedEvents) variantIDs() []int64 {
	ids := make([]int64, len(e))
	for i, ev := range e {
		ids[i] = *ev.VariantID
	}
	return ids
}

// insert writes the events, stamped now, and queues the outbound
// webhooks that report them, if any.
func (e stockChangedEvents) insert(ctx context.Context, tx *Tx, shopID int64) error {
	if len(e) == 0 {
		return nil
	}
	now := tx.db.now()
	details := make([]string, len(e))
	for i := range e {
		raw, err := json.Marshal(e[i].Detail)
		if err != nil {
			return err
		}
		details[i], e[i].At = string(raw), now
	}
	if err := insertStockChangedEvents(ctx, tx, shopID, e.variantIDs(), details, now); err != nil {
		return err
	}
	return queueWebhooks(ctx, tx, shopID, e)
}

func insertStockChangedEvents(ctx context.Context, tx *Tx, shopID int64, variants []int64, details []string, at time.Time) error {
	rows := newRowSet("event").int64s("variant_id", variants).texts("detail", details)
	return rows.each(tx, func(with string, args []any, _, _ int) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`WITH `+with+` INSERT INTO events (shop_id, kind, variant_id, subscription_id,
			detail, created_at) SELECT `+tx.typed("BIGINT")+`, `+tx.typed("TEXT")+`, variant_id, NULL, detail, `+tx.typed("TIMESTAMPTZ")+`
			FROM event`), append(args, shopID, stockbell.EventStockChanged, at)...)
		return err
	})
}
