package store

import (
	"context"
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

// ApplyFeedItems upserts a batch of feed items in one transaction, with a
// fixed number of statements whatever the batch's size: new items are
// inserted (no stock job: nobody can be waiting for them), stored ones are
// updated when a field changed, and their quantity is ordered as a read of
// the default location's level. Those whose stock or publication changed
// get a stock_changed event, and a VariantStockChangedJob when someone is
// queued for them. Returns ECONFLICT unless the owner holds the lease.
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
		if err := shareFeedLease(ctx, tx, batch.ShopID, batch.Owner); err != nil {
			return err
		}
		if err := commitWithoutFlush(ctx, tx); err != nil {
			return err
		}
		stored, err := findStoredFeedItems(ctx, tx, batch.ShopID, batch.Items)
		if err != nil {
			return err
		}
		var fresh []stockbell.FeedItem
		var changes []feedChange
		for _, item := range batch.Items {
			if old, ok := stored[item.ID]; ok {
				changes = append(changes, newFeedChange(old, item))
			} else {
				fresh = append(fresh, item)
			}
		}
		result.Created = len(fresh)
		if err := insertFeedItems(ctx, tx, batch, fresh); err != nil {
			return err
		}
		return updateFeedItems(ctx, tx, batch, changes, &result)
	})
	return result, err
}

// commitWithoutFlush lets a sync's batch commit on PostgreSQL without
// waiting for its WAL to reach the disk (a wait that cost more than the
// batch's statements). Nothing acknowledged can be lost by it: the sync is
// acknowledged by FinishFeedSync, whose commit waits for the WAL, and so
// for every batch committed before it. A crash before that loses at most
// batches of a sync that never finished and never saved its validators:
// the next sync reads the whole document again and finds those items
// changed. Whatever acts on a batch (a restock job notifying subscribers)
// commits with the wait, which flushes the batch first.
func commitWithoutFlush(ctx context.Context, tx *Tx) error {
	if tx.db.Dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit TO OFF`)
	return err
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

const storedFeedItemColumns = `v.id AS variant_id, v.product_id, v.platform_id, v.title, v.url, v.image_url, v.price, v.stock,
	v.tracked, v.inventory_policy, p.published, p.deleted`

// findStoredFeedItems returns the batch's stored items by id. On
// PostgreSQL each id is looked up through the (shop_id, platform_id)
// index, one lateral lookup per id: during a first sync the tables grow
// faster than their statistics, and a planner trusting the stale ones
// scans every variant of the shop for each batch instead.
func findStoredFeedItems(ctx context.Context, tx *Tx, shopID int64, items []stockbell.FeedItem) (map[string]storedFeedItem, error) {
	ids := make([]string, len(items))
	for i, item := range items {
		ids[i] = item.ID
	}
	out := make(map[string]storedFeedItem, len(items))
	err := newRowSet("wanted").texts("platform_id", ids).each(tx, func(with string, args []any, _, _ int) error {
		query := `WITH ` + with + ` SELECT ` + storedFeedItemColumns + ` FROM variants v JOIN products p ON p.id = v.product_id
			WHERE v.shop_id = ? AND v.platform_id IN (SELECT platform_id FROM wanted)`
		if tx.db.Dialect == Postgres {
			query = `WITH ` + with + ` SELECT s.* FROM wanted CROSS JOIN LATERAL (SELECT ` + storedFeedItemColumns + `
				FROM variants v JOIN products p ON p.id = v.product_id
				WHERE v.shop_id = ? AND v.platform_id = wanted.platform_id LIMIT 1) s`
		}
		var rows []storedFeedItem
		if err := tx.SelectContext(ctx, &rows, tx.Rebind(query), append(args, shopID)...); err != nil {
			return err
		}
		for _, r := range rows {
			out[r.ID] = r
		}
		return nil
	})
	return out, err
}

// insertFeedItems inserts new items: each is a product with one variant
// and one level at the default location, read by the batch's read.
func insertFeedItems(ctx context.Context, tx *Tx, batch stockbell.FeedBatch, items []stockbell.FeedItem) error {
	if len(items) == 0 {
		return nil
	}
	seq, err := tx.nextStockSeq(ctx)
	if err != nil {
		return err
	}
	products, err := insertFeedProducts(ctx, tx, batch.ShopID, items)
	if err != nil {
		return err
	}
	variants, err := insertFeedVariants(ctx, tx, batch.ShopID, items, products)
	if err != nil {
		return err
	}
	levels := readLevels{at: batch.At, seq: seq}
	for _, item := range items {
		levels.add(variants[item.ID], item.Quantity)
	}
	return writeReadLevels(ctx, tx, levels)
}

// insertFeedProducts inserts (or takes over) the items' products and
// returns their ids by platform id.
func insertFeedProducts(ctx context.Context, tx *Tx, shopID int64, items []stockbell.FeedItem) (map[string]int64, error) {
	tx.catalogChanged = true
	n := len(items)
	ids, titles, links, images := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, item := range items {
		ids[i], titles[i], links[i], images[i] = item.ID, item.Title, item.Link, item.ImageURL
	}
	rows := newRowSet("item").texts("platform_id", ids).texts("title", titles).texts("url", links).texts("image_url", images)
	now := tx.db.now()
	return insertReturningIDs(ctx, tx, rows, func(with string) string {
		return `WITH ` + with + ` INSERT INTO products (shop_id, platform_id, title, handle, url, image_url, published, deleted,
			created_at, updated_at) SELECT ` + tx.typed("BIGINT") + `, platform_id, title, '', url, image_url, ` + tx.typed("BOOLEAN") + `, ` +
			tx.typed("BOOLEAN") + `, ` + tx.typed("TIMESTAMPTZ") + `, ` + tx.typed("TIMESTAMPTZ") + ` FROM item WHERE 1 = 1
			ON CONFLICT (shop_id, platform_id) DO UPDATE SET title = excluded.title, url = excluded.url, image_url = excluded.image_url,
			published = excluded.published, deleted = excluded.deleted, updated_at = excluded.updated_at RETURNING id, platform_id`
	}, shopID, true, false, now, now)
}

// insertFeedVariants inserts the items' variants and returns their ids by
// platform id.
func insertFeedVariants(ctx context.Context, tx *Tx, shopID int64, items []stockbell.FeedItem, products map[string]int64) (map[string]int64, error) {
	tx.catalogChanged = true
	n := len(items)
	productIDs, stocks := make([]int64, n), make([]int64, n)
	ids, titles, links, images, prices := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, item := range items {
		productIDs[i], stocks[i] = products[item.ID], int64(item.Quantity)
		ids[i], titles[i], links[i], images[i], prices[i] = item.ID, item.Title, item.Link, item.ImageURL, item.Price
	}
	rows := newRowSet("item").int64s("product_id", productIDs).texts("platform_id", ids).texts("title", titles).
		texts("url", links).texts("image_url", images).texts("price", prices).int64s("stock", stocks)
	now := tx.db.now()
	return insertReturningIDs(ctx, tx, rows, func(with string) string {
		return `WITH ` + with + ` INSERT INTO variants (shop_id, product_id, platform_id, title, url, image_url, price,
			inventory_policy, tracked, stock, created_at, updated_at) SELECT ` + tx.typed("BIGINT") + `, product_id, platform_id,
			title, url, image_url, price, ` + tx.typed("TEXT") + `, ` + tx.typed("BOOLEAN") + `, stock, ` + tx.typed("TIMESTAMPTZ") + `, ` +
			tx.typed("TIMESTAMPTZ") + ` FROM item RETURNING id, platform_id`
	}, shopID, stockbell.InventoryDeny, true, now, now)
}

// insertReturningIDs runs the insert of each chunk of rows (its WITH
// clause's arguments first, then args) and gathers the ids it returns by
// platform id.
func insertReturningIDs(ctx context.Context, tx *Tx, rows *rowSet, query func(with string) string, args ...any) (map[string]int64, error) {
	ids := make(map[string]int64, rows.n)
	err := rows.each(tx, func(with string, withArgs []any, _, _ int) error {
		res, err := tx.QueryxContext(ctx, tx.Rebind(query(with)), append(withArgs, args...)...)
		if err != nil {
			return err
		}
		defer res.Close()
		for res.Next() {
			var id int64
			var platformID string
			if err := res.Scan(&id, &platformID); err != nil {
				return err
			}
			ids[platformID] = id
		}
		return res.Err()
	})
	return ids, err
}

// UnpublishFeedItems marks the items' products unpublished (their
// subscribers wait, notified by no one, until the item is listed again)
// with a VariantStockChangedJob per variant someone is queued for, and
// returns how many products changed. Returns ECONFLICT unless owner holds
// the lease.
func (db *DB) UnpublishFeedItems(ctx context.Context, shopID int64, owner string, ids []string) (int, error) {
	changed := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		changed = 0
		var unpublished []int64
		tx.catalogChanged = true
		if _, err := holdFeedLease(ctx, tx, shopID, owner); err != nil {
			return err
		}
		if err := commitWithoutFlush(ctx, tx); err != nil {
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
			unpublished = append(unpublished, products...)
		}
		return stockJobsForProducts(ctx, tx, shopID, unpublished)
	})
	return changed, err
}

// stockJobsForProducts wakes the restock engine for the products' variants
// that someone is queued for, read with the variants locked, all at once
// and in id order (lockVariantsInOrder): locked a chunk of products at a
// time, they could be locked out of order and deadlock with a stock batch.
func stockJobsForProducts(ctx context.Context, tx *Tx, shopID int64, products []int64) error {
	var variants []int64
	err := newRowSet("unpublished").int64s("pid", products).each(tx, func(with string, args []any, _, _ int) error {
		var chunk []int64
		err := tx.SelectContext(ctx, &chunk, tx.Rebind(`WITH `+with+` SELECT id FROM variants
			WHERE product_id IN (SELECT pid FROM unpublished)`), args...)
		variants = append(variants, chunk...)
		return err
	})
	if err != nil {
		return err
	}
	if err := lockVariantsInOrder(ctx, tx, variants); err != nil {
		return err
	}
	return insertQueuedStockJobs(ctx, tx, shopID, variants)
}
