package store

import (
	"context"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// rowsPerInsert bounds the rows of one multi-row INSERT, well under both
// databases' limits on bound parameters.
const rowsPerInsert = 200

// EachFeedItemState calls fn with every stored item of the shop's feed.
// Rows are streamed from one query, never all held at once.
func (db *DB) EachFeedItemState(ctx context.Context, shopID int64, fn func(stockbell.FeedItemState) error) error {
	return db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryxContext(ctx, tx.Rebind(`SELECT v.platform_id, v.title, v.url, v.image_url, v.price, v.stock,
			p.published, p.deleted FROM variants v JOIN products p ON p.id = v.product_id WHERE v.shop_id = ?`), shopID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s stockbell.FeedItemState
			if err := rows.StructScan(&s); err != nil {
				return err
			}
			if err := fn(s); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// storedFeedItem is an item's variant and product as stored.
type storedFeedItem struct {
	VariantID int64                     `db:"variant_id"`
	ProductID int64                     `db:"product_id"`
	ID        string                    `db:"platform_id"`
	Title     string                    `db:"title"`
	Link      string                    `db:"url"`
	ImageURL  string                    `db:"image_url"`
	Price     string                    `db:"price"`
	Stock     int                       `db:"stock"`
	Tracked   bool                      `db:"tracked"`
	Policy    stockbell.InventoryPolicy `db:"inventory_policy"`
	Published bool                      `db:"published"`
	Deleted   bool                      `db:"deleted"`
}

// ApplyFeedItems upserts a batch of feed items in one transaction: new
// items are inserted with multi-row statements (no stock job: nobody can
// be waiting for them), stored ones are updated when a field changed, and
// their quantity is ordered as a read of the default location's level.
// Those whose stock or publication changed get a stock_changed event and a
// VariantStockChangedJob. Returns ECONFLICT unless the owner holds the
// lease.
func (db *DB) ApplyFeedItems(ctx context.Context, batch stockbell.FeedBatch) (stockbell.FeedApplyResult, error) {
	var result stockbell.FeedApplyResult
	if err := validateFeedItems(batch.Items); err != nil {
		return result, err
	}
	if !batch.At.IsZero() {
		batch.At = batch.At.UTC().Truncate(time.Second)
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		result = stockbell.FeedApplyResult{}
		if _, err := holdFeedLease(ctx, tx, batch.ShopID, batch.Owner); err != nil {
			return err
		}
		stored, err := findStoredFeedItems(ctx, tx, batch.ShopID, batch.Items)
		if err != nil {
			return err
		}
		var fresh []stockbell.FeedItem
		var changed []stockbell.JobArgs
		for _, item := range batch.Items {
			old, ok := stored[item.ID]
			if !ok {
				fresh = append(fresh, item)
				continue
			}
			stockChanged, err := updateFeedItem(ctx, tx, batch, old, item, &result)
			if err != nil {
				return err
			}
			if stockChanged {
				changed = append(changed, stockbell.VariantStockChangedJob{ShopID: batch.ShopID, VariantID: old.VariantID})
			}
		}
		result.Created = len(fresh)
		if err := insertFeedItems(ctx, tx, batch, fresh); err != nil {
			return err
		}
		if len(changed) == 0 {
			return nil
		}
		return tx.insertJobs(ctx, changed, nil)
	})
	return result, err
}

// validateFeedItems returns EINVALID for an item without id, with a
// negative quantity, or listed twice.
func validateFeedItems(items []stockbell.FeedItem) error {
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		switch {
		case item.ID == "":
			return stockbell.FieldErrorf("items", "item %d has no id", i)
		case item.Quantity < 0:
			return stockbell.FieldErrorf("items", "item %q has a negative quantity", item.ID)
		case seen[item.ID]:
			return stockbell.FieldErrorf("items", "item %q is listed twice", item.ID)
		}
		seen[item.ID] = true
	}
	return nil
}

func findStoredFeedItems(ctx context.Context, tx *Tx, shopID int64, items []stockbell.FeedItem) (map[string]storedFeedItem, error) {
	out := make(map[string]storedFeedItem, len(items))
	for start := 0; start < len(items); start += rowsPerInsert {
		chunk := items[start:min(start+rowsPerInsert, len(items))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, shopID)
		for _, item := range chunk {
			args = append(args, item.ID)
		}
		var rows []storedFeedItem
		err := tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT v.id AS variant_id, v.product_id, v.platform_id, v.title, v.url,
			v.image_url, v.price, v.stock, v.tracked, v.inventory_policy, p.published, p.deleted
			FROM variants v JOIN products p ON p.id = v.product_id
			WHERE v.shop_id = ? AND v.platform_id IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}

// updateFeedItem writes what changed of a stored item and reports whether
// its stock or publication changed (it then has a stock_changed event; the
// caller inserts its job).
func updateFeedItem(ctx context.Context, tx *Tx, batch stockbell.FeedBatch, old storedFeedItem, item stockbell.FeedItem, result *stockbell.FeedApplyResult) (bool, error) {
	republished := !old.Published || old.Deleted
	untracked := !old.Tracked || old.Policy != stockbell.InventoryDeny
	described := old.Title != item.Title || old.Link != item.Link || old.ImageURL != item.ImageURL || old.Price != item.Price
	if !republished && !untracked && !described && old.Stock == item.Quantity {
		return false, nil
	}
	now := tx.db.now()
	if republished || described || untracked {
		result.Updated++
	}
	if republished || described {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE products SET title = ?, url = ?, image_url = ?, published = ?,
			deleted = ?, updated_at = ? WHERE id = ?`), item.Title, item.Link, item.ImageURL, true, false, now, old.ProductID)
		if err != nil {
			return false, err
		}
	}
	if described || untracked {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE variants SET title = ?, url = ?, image_url = ?, price = ?,
			tracked = ?, inventory_policy = ?, updated_at = ? WHERE id = ?`),
			item.Title, item.Link, item.ImageURL, item.Price, true, stockbell.InventoryDeny, now, old.VariantID)
		if err != nil {
			return false, err
		}
	}
	stock, err := settleFeedLevel(ctx, tx, batch, old, item.Quantity)
	if err != nil || (stock == old.Stock && !republished && !untracked) {
		return false, err
	}
	if stock != old.Stock && !(republished || described || untracked) {
		result.Updated++
	}
	result.StockChanged++
	detail := EventDetail{"old_stock": old.Stock, "new_stock": stock, "location_id": stockbell.DefaultLocation,
		"available": item.Quantity, "source": stockbell.FeedSource, "republished": republished}
	return true, tx.insertEvent(ctx, stockbell.Event{ShopID: batch.ShopID, Kind: stockbell.EventStockChanged, VariantID: &old.VariantID}, detail)
}

// settleFeedLevel orders the item's quantity as the read level of the
// default location and returns the variant's stock after it.
func settleFeedLevel(ctx context.Context, tx *Tx, batch stockbell.FeedBatch, old storedFeedItem, quantity int) (int, error) {
	if quantity == old.Stock {
		return old.Stock, nil
	}
	v := stockbell.Variant{ID: old.VariantID, ShopID: batch.ShopID, PlatformID: old.ID}
	level := stockbell.LocationLevel{LocationID: stockbell.DefaultLocation, Available: quantity, UpdatedAt: batch.At}
	applied, err := settleReadLevels(ctx, tx, &v, []stockbell.LocationLevel{level}, batch.Read, stockbell.FeedSource)
	if err != nil || !applied {
		return old.Stock, err
	}
	return recomputeStock(ctx, tx, old.VariantID)
}

// insertFeedItems inserts new items: each is a product with one variant
// and one level at the default location.
func insertFeedItems(ctx context.Context, tx *Tx, batch stockbell.FeedBatch, items []stockbell.FeedItem) error {
	now, shopID := tx.db.now(), batch.ShopID
	if len(items) == 0 {
		return nil
	}
	seq, err := tx.nextStockSeq(ctx)
	if err != nil {
		return err
	}
	for start := 0; start < len(items); start += rowsPerInsert {
		chunk := items[start:min(start+rowsPerInsert, len(items))]
		products, err := insertRows(ctx, tx, `INSERT INTO products (shop_id, platform_id, title, handle, url, image_url,
			published, deleted, created_at, updated_at) VALUES `, `ON CONFLICT (shop_id, platform_id) DO UPDATE SET
			title = excluded.title, url = excluded.url, image_url = excluded.image_url, published = excluded.published,
			deleted = excluded.deleted, updated_at = excluded.updated_at`, 10, chunk, func(item stockbell.FeedItem) []any {
			return []any{shopID, item.ID, item.Title, "", item.Link, item.ImageURL, true, false, now, now}
		})
		if err != nil {
			return err
		}
		variants, err := insertRows(ctx, tx, `INSERT INTO variants (shop_id, product_id, platform_id, title, url, image_url,
			price, inventory_policy, tracked, stock, created_at, updated_at) VALUES `, ``, 12, chunk, func(item stockbell.FeedItem) []any {
			return []any{shopID, products[item.ID], item.ID, item.Title, item.Link, item.ImageURL, item.Price,
				stockbell.InventoryDeny, true, item.Quantity, now, now}
		})
		if err != nil {
			return err
		}
		_, err = insertRows(ctx, tx, `INSERT INTO inventory_levels (`+levelColumns+`) VALUES `,
			``, 7, chunk, func(item stockbell.FeedItem) []any {
				return []any{variants[item.ID], stockbell.DefaultLocation, item.Quantity, nullTime(batch.At), stockbell.LevelRead, seq, now}
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// insertRows runs one multi-row INSERT of the items and, when the table
// has an id and a platform_id, returns the new ids by platform id.
func insertRows(ctx context.Context, tx *Tx, head, tail string, columns int, items []stockbell.FeedItem, row func(stockbell.FeedItem) []any) (map[string]int64, error) {
	args := make([]any, 0, len(items)*columns)
	for _, item := range items {
		args = append(args, row(item)...)
	}
	query := head + valueRows(len(items), columns) + " " + tail
	if !strings.Contains(head, "platform_id") {
		_, err := tx.ExecContext(ctx, tx.Rebind(query), args...)
		return nil, err
	}
	rows, err := tx.QueryxContext(ctx, tx.Rebind(query+" RETURNING id, platform_id"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make(map[string]int64, len(items))
	for rows.Next() {
		var id int64
		var platformID string
		if err := rows.Scan(&id, &platformID); err != nil {
			return nil, err
		}
		ids[platformID] = id
	}
	return ids, rows.Err()
}

// UnpublishFeedItems marks the items' products unpublished (their
// subscribers wait, notified by no one, until the item is listed again)
// with a VariantStockChangedJob per variant, and returns how many products
// changed. Returns ECONFLICT unless owner holds the lease.
func (db *DB) UnpublishFeedItems(ctx context.Context, shopID int64, owner string, ids []string) (int, error) {
	changed := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		changed = 0
		if _, err := holdFeedLease(ctx, tx, shopID, owner); err != nil {
			return err
		}
		for start := 0; start < len(ids); start += rowsPerInsert {
			chunk := ids[start:min(start+rowsPerInsert, len(ids))]
			args := []any{false, tx.db.now(), shopID, true}
			for _, id := range chunk {
				args = append(args, id)
			}
			var products []int64
			err := tx.SelectContext(ctx, &products, tx.Rebind(`UPDATE products SET published = ?, updated_at = ?
				WHERE shop_id = ? AND published = ? AND platform_id IN (`+placeholders(len(chunk))+`) RETURNING id`), args...)
			if err != nil || len(products) == 0 {
				if err != nil {
					return err
				}
				continue
			}
			changed += len(products)
			if err := stockJobsForProducts(ctx, tx, shopID, products); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
}

func stockJobsForProducts(ctx context.Context, tx *Tx, shopID int64, products []int64) error {
	args := make([]any, len(products))
	for i, id := range products {
		args[i] = id
	}
	var variants []int64
	err := tx.SelectContext(ctx, &variants, tx.Rebind(`SELECT id FROM variants WHERE product_id IN (`+placeholders(len(products))+`) ORDER BY id`), args...)
	if err != nil {
		return err
	}
	return insertStockJobs(ctx, tx, shopID, variants)
}
