package store

import (
	"context"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

const variantColumns = `v.id, v.shop_id, v.product_id, v.platform_id, v.inventory_item_id, v.title, v.sku, v.url,
	v.image_url, v.price, v.inventory_policy, v.tracked, v.stock, v.created_at, v.updated_at`

const variantWithProductColumns = variantColumns + `, p.platform_id AS product_platform_id, p.title AS product_title,
	p.url AS product_url, p.image_url AS product_image_url, p.published, p.deleted, v.deleted AS variant_deleted`

const variantWithProductFrom = ` FROM variants v JOIN products p ON p.id = v.product_id`

// variantWrite says how an upsert writes its product's variants.
type variantWrite struct {
	productID int64
	// seen orders the upsert's finding of its variants (seenSeq).
	seen int64
	// fieldsStale: the upsert is older than the stored product, so its
	// variants' fields are left alone and only the levels of variants
	// already stored are ordered and applied.
	fieldsStale bool
}

// upsertVariants upserts the product's listed variants and inserts one
// VariantStockChangedJob per variant whose purchasability inputs changed,
// plus one for each id in alsoChanged, for those someone is queued for.
// Those variants and the stored listed ones are locked for update first,
// in id order (lockUpsertVariants).
func upsertVariants(ctx context.Context, tx *Tx, up stockbell.ProductUpsert, w variantWrite, alsoChanged []int64) error {
	alsoChanged = slices.Compact(slices.Sorted(slices.Values(alsoChanged)))
	if err := lockUpsertVariants(ctx, tx, up, alsoChanged); err != nil {
		return err
	}
	stock := newUpsertStockRead(up)
	changed := map[int64]bool{}
	for _, id := range alsoChanged {
		changed[id] = true
	}
	for _, v := range up.Variants {
		id, didChange, err := upsertVariant(ctx, tx, up, w, v, stock)
		if err != nil {
			return err
		}
		if didChange && !changed[id] {
			changed[id] = true
			alsoChanged = append(alsoChanged, id)
		}
	}
	if err := stock.insertEvents(ctx, tx, up.ShopID); err != nil {
		return err
	}
	return insertQueuedStockJobs(ctx, tx, up.ShopID, alsoChanged)
}

// upsertVariant stores one variant (unless w.fieldsStale), reviving it if
// it was deleted, and, when Levels is not nil, orders its levels as the
// upsert's read (stock.settle). It reports whether an existing variant's
// purchasability inputs changed.
func upsertVariant(ctx context.Context, tx *Tx, up stockbell.ProductUpsert, w variantWrite, v stockbell.VariantUpsert, stock *upsertStockRead) (int64, bool, error) {
	tx.catalogChanged = true
	old, err := lockOrInsertVariant(ctx, tx, up.ShopID, w, v)
	if err != nil || old == nil {
		return 0, false, err
	}
	revived := false
	switch {
	case w.fieldsStale:
		v.Tracked, v.InventoryPolicy = old.Tracked, old.InventoryPolicy
		err = markVariantSeen(ctx, tx, old.ID, w.seen)
	case !old.fresh:
		revived = old.Deleted
		err = updateVariant(ctx, tx, old.ID, w, v)
	}
	if err != nil {
		return 0, false, err
	}
	newStock, err := stock.settle(ctx, tx, old, v.Levels)
	if err != nil {
		return 0, false, err
	}
	changed := !old.fresh && (revived || newStock != old.Stock || v.Tracked != old.Tracked || v.InventoryPolicy != old.InventoryPolicy)
	return old.ID, changed, nil
}

// updateVariant writes a stored variant's fields as the upsert lists
// them: listed, it is not deleted, and the upsert's read found it.
func updateVariant(ctx context.Context, tx *Tx, id int64, w variantWrite, v stockbell.VariantUpsert) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE variants SET product_id = ?, inventory_item_id = ?, title = ?, sku = ?,
		url = ?, image_url = ?, price = ?, inventory_policy = ?, tracked = ?, deleted = ?,
		seen_seq = CASE WHEN seen_seq IS NULL OR seen_seq < ? THEN ? ELSE seen_seq END, updated_at = ? WHERE id = ?`),
		w.productID, v.InventoryItemID, v.Title, v.SKU, v.URL, v.ImageURL, v.Price, v.InventoryPolicy, v.Tracked, false,
		w.seen, w.seen, tx.db.now(), id)
	return err
}

// markVariantSeen records on the variant the read that found it (seen,
// seenSeq), keeping the latest: the order vanishedVariants judges a
// listing of the product's variants by.
func markVariantSeen(ctx context.Context, tx *Tx, id, seen int64) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE variants SET seen_seq = ? WHERE id = ? AND (seen_seq IS NULL OR seen_seq < ?)`),
		seen, id, seen)
	return err
}

// lockUpsertVariants locks, on PostgreSQL, the stored variants an upsert
// lists and those in alsoChanged, in id order, before any is written. A
// stock batch locks its variants in id order (lockVariantsForChanges);
// locked one by one in the order the platform lists them, newest first
// say, an upsert and a batch could each hold a variant the other waits
// for. And the variants' queues are read under these locks
// (insertQueuedStockJobs).
func lockUpsertVariants(ctx context.Context, tx *Tx, up stockbell.ProductUpsert, alsoChanged []int64) error {
	if tx.forUpdate() == "" {
		return nil
	}
	platformIDs := make([]string, len(up.Variants))
	for i, v := range up.Variants {
		platformIDs[i] = v.PlatformID
	}
	ids := slices.Clone(alsoChanged)
	err := newRowSet("listed").texts("platform_id", platformIDs).each(tx, func(with string, args []any, _, _ int) error {
		var listed []int64
		err := tx.SelectContext(ctx, &listed, tx.Rebind(`WITH `+with+` SELECT id FROM variants
			WHERE shop_id = ? AND platform_id IN (SELECT platform_id FROM listed)`), append(args, up.ShopID)...)
		ids = append(ids, listed...)
		return err
	})
	if err != nil {
		return err
	}
	return lockVariantsInOrder(ctx, tx, ids)
}

// lockVariantsInOrder locks the variants for update, in id order, on
// PostgreSQL (SQLite's writes are serial).
func lockVariantsInOrder(ctx context.Context, tx *Tx, ids []int64) error {
	return lockVariantsInOrderAs(ctx, tx, ids, tx.forUpdate())
}

// lockVariantsInOrderAs locks the variants with lock (empty: no lock), in
// id order. Every transaction that locks more than one variant takes them
// in this order, or two could each hold a variant the other waits for.
func lockVariantsInOrderAs(ctx context.Context, tx *Tx, ids []int64, lock string) error {
	return lockIDsInOrder(ctx, tx, "variants", ids, lock)
}

// lockIDsInOrder locks the rows of table with the ids with lock (empty: no
// lock), in id order.
func lockIDsInOrder(ctx context.Context, tx *Tx, table string, ids []int64, lock string) error {
	if lock == "" || len(ids) == 0 {
		return nil
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	return newRowSet("locked").int64s("lid", ids).each(tx, func(with string, args []any, _, _ int) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`WITH `+with+` SELECT id FROM `+table+` WHERE id IN (SELECT lid FROM locked)
			ORDER BY id`+lock), args...)
		return err
	})
}

// lockedVariant is a variant row locked for this transaction; fresh when
// this transaction has just inserted it.
type lockedVariant struct {
	stockbell.Variant
	Deleted bool `db:"deleted"`
	fresh   bool
}

// lockOrInsertVariant locks the stored variant or, unless w.fieldsStale,
// inserts it, found by w.seen; a stale upsert's unknown variant is nil.
func lockOrInsertVariant(ctx context.Context, tx *Tx, shopID int64, w variantWrite, v stockbell.VariantUpsert) (*lockedVariant, error) {
	tx.catalogChanged = true
	query := tx.Rebind(`SELECT ` + variantColumns + `, v.deleted FROM variants v WHERE v.shop_id = ? AND v.platform_id = ?` + tx.forUpdate())
	var row lockedVariant
	err := tx.GetContext(ctx, &row, query, shopID, v.PlatformID)
	if !isNoRows(err) {
		return &row, err
	}
	if w.fieldsStale {
		return nil, nil
	}
	now := tx.db.now()
	err = tx.QueryRowxContext(ctx, tx.Rebind(`INSERT INTO variants (shop_id, product_id, platform_id, inventory_item_id,
		title, sku, url, image_url, price, inventory_policy, tracked, stock, seen_seq, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
		ON CONFLICT (shop_id, platform_id) DO NOTHING RETURNING id`),
		shopID, w.productID, v.PlatformID, v.InventoryItemID, v.Title, v.SKU, v.URL, v.ImageURL, v.Price,
		v.InventoryPolicy, v.Tracked, w.seen, now, now).Scan(&row.ID)
	if isNoRows(err) {
		err = tx.GetContext(ctx, &row, query, shopID, v.PlatformID)
		return &row, err
	}
	row.fresh = true
	return &row, err
}

// FindVariant returns a shop's variant by platform id. Returns ENOTFOUND.
func (db *DB) FindVariant(ctx context.Context, shopID int64, platformID string) (*stockbell.VariantWithProduct, error) {
	var v stockbell.VariantWithProduct
	err := db.inRead(func(tx *Tx) error {
		return tx.GetContext(ctx, &v, tx.Rebind(`SELECT `+variantWithProductColumns+variantWithProductFrom+`
			WHERE v.shop_id = ? AND v.platform_id = ?`), shopID, platformID)
	})
	if err != nil {
		return nil, notFound(err, "variant %q not found", platformID)
	}
	return &v, nil
}

// FindVariantForSignup is FindVariant answered from memory, for up to
// ShopCacheTTL, when the variant was found sold out and notifiable (see
// shopCache): the state a storefront post needs. A variant found in stock,
// unpublished, deleted or not at all is read afresh each time. The TTL runs
// on the wall clock, as the shops' does.
func (db *DB) FindVariantForSignup(ctx context.Context, shopID int64, platformID string) (*stockbell.VariantWithProduct, error) {
	key, now := variantKey{shopID: shopID, platformID: platformID}, time.Now()
	cached, gen := db.shops.soldOut.get(key, now)
	if cached != nil {
		return cached, nil
	}
	v, err := db.FindVariant(ctx, shopID, platformID)
	if err == nil && v.SoldOut() && v.Notifiable() {
		db.shops.soldOut.put(key, gen, v, now)
	}
	return v, err
}

// FindVariantByID returns the shop's variant by its id. Returns ENOTFOUND
// (also for another shop's).
func (db *DB) FindVariantByID(ctx context.Context, shopID, id int64) (*stockbell.VariantWithProduct, error) {
	var v stockbell.VariantWithProduct
	err := db.inRead(func(tx *Tx) error {
		return tx.GetContext(ctx, &v, tx.Rebind(`SELECT `+variantWithProductColumns+variantWithProductFrom+` WHERE v.id = ? AND v.shop_id = ?`),
			id, shopID)
	})
	if err != nil {
		return nil, notFound(err, "variant %d not found", id)
	}
	return &v, nil
}

// FindVariants returns the variants matching the filter, by id, and the
// total count.
func (db *DB) FindVariants(ctx context.Context, filter stockbell.VariantFilter) ([]*stockbell.VariantWithProduct, int, error) {
	w, err := shopScope("v.shop_id", filter.ShopID)
	if err != nil {
		return nil, 0, err
	}
	if filter.ProductID != nil {
		w.add("v.product_id = ?", *filter.ProductID)
	}
	if filter.ProductPlatformID != nil {
		// The product's shop too, so its (shop_id, platform_id) key finds it.
		w.add("p.shop_id = ? AND p.platform_id = ?", *filter.ShopID, *filter.ProductPlatformID)
	}
	if filter.PlatformID != nil {
		w.add("v.platform_id = ?", *filter.PlatformID)
	}
	if filter.InventoryItemID != nil {
		// The literal condition lets the planner use the partial index
		// variants_inventory_item (lockVariantsForChange).
		w.add("v.inventory_item_id = ? AND v.inventory_item_id <> ''", *filter.InventoryItemID)
	}
	if filter.HasQueuedSubscribers != nil {
		exists := "EXISTS (SELECT 1 FROM subscriptions s WHERE s.variant_id = v.id AND s.status = ?)"
		if !*filter.HasQueuedSubscribers {
			exists = "NOT " + exists
		}
		w.add(exists, stockbell.SubscriptionQueued)
	}
	variants := []*stockbell.VariantWithProduct{}
	var total int
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT COUNT(*)`+variantWithProductFrom+w.String()), w.args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &variants, tx.Rebind(`SELECT `+variantWithProductColumns+variantWithProductFrom+
			w.String()+` ORDER BY v.id`+page(filter.Offset, filter.Limit)), w.args...)
	})
	return variants, total, err
}

// FindInventoryLevels returns the shop's variant's per-location levels by
// location (none for another shop's variant), without the tombstones of
// disconnected locations.
func (db *DB) FindInventoryLevels(ctx context.Context, shopID, variantID int64) ([]*stockbell.InventoryLevel, error) {
	levels := []*stockbell.InventoryLevel{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &levels, tx.Rebind(`SELECT `+levelColumns+`
			FROM inventory_levels WHERE variant_id = ? AND `+liveLevels+` AND EXISTS (SELECT 1 FROM variants v WHERE v.id = variant_id AND v.shop_id = ?)
			ORDER BY location_id`), variantID, shopID)
	})
	return levels, err
}
