package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.CatalogService = (*DB)(nil)

const productColumns = `id, shop_id, platform_id, title, handle, url, image_url, published, deleted, created_at, updated_at`

// productRow is a stored product with the platform's change time, which
// orders upserts that arrive out of order.
type productRow struct {
	stockbell.Product
	PlatformUpdatedAt *time.Time `db:"platform_updated_at"`
	SeenSeq           *int64     `db:"seen_seq"`
}

// forUpdate locks the selected rows until the transaction ends. PostgreSQL
// needs it so that concurrent stock changes to one variant queue up; SQLite
// transactions here begin immediate and already hold the single write lock.
// A read outside a transaction locks nothing.
func (tx *Tx) forUpdate() string {
	if tx.db.Dialect == Postgres && tx.sqlTx != nil {
		return " FOR UPDATE"
	}
	return ""
}

// forNoKeyUpdate is forUpdate's weaker form: it makes writers of the row
// take turns without blocking the key-share lock of a foreign key's check.
func (tx *Tx) forNoKeyUpdate() string {
	if tx.forUpdate() == "" {
		return ""
	}
	return " FOR NO KEY UPDATE"
}

// forKeyShareOf is forUpdate's key-share lock on the rows of one table of
// the query: it takes the lock a foreign key's check takes, so it blocks
// only a change that locks the row for update (such as a stock change,
// lockVariantForChange) and, when it waited for one, reads the row as that
// change committed it.
func (tx *Tx) forKeyShareOf(table string) string {
	if tx.db.Dialect == Postgres && tx.sqlTx != nil {
		return " FOR KEY SHARE OF " + table
	}
	return ""
}

// UpsertProduct creates or updates a product and its listed variants in one
// transaction. The product and variant fields of an upsert older than the
// stored one (by UpdatedAt) change nothing, and the stored product is
// returned. A variant whose Levels is not nil has them ordered as a read of
// the platform (up.Read), location by location, against its stored levels
// (stockbell.DecideStockChange), and its stock recomputed; when that
// changes a stored variant's stock, an EventStockChanged records it
// (upsertStockRead). Whenever an
// existing variant's purchasability inputs change (stock, tracking,
// inventory policy, the product published or deleted, the variant
// deleted or revived) and someone is queued for it, a
// VariantStockChangedJob is inserted in the same transaction; brand-new
// variants get none, as nobody can be waiting for them yet. A listed
// variant that was deleted is revived; with up.AllVariants, the product's
// stored variants the upsert does not list are marked deleted unless a
// read begun since up.Read found them (vanishedVariants).
// Returns EINVALID naming the field, or ENOTFOUND for an unknown shop or
// one whose erase committed while the upsert ran (shopGoneOr).
func (db *DB) UpsertProduct(ctx context.Context, up stockbell.ProductUpsert) (*stockbell.Product, error) {
	if err := validateProductUpsert(&up); err != nil {
		return nil, err
	}
	var product *stockbell.Product
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if err := shopExists(ctx, tx, up.ShopID); err != nil {
			return err
		}
		if product, err = upsertProduct(ctx, tx, up); err != nil || up.Recovered == nil {
			return err
		}
		return endFailure(ctx, tx, *up.Recovered)
	})
	return product, db.shopGoneOr(ctx, up.ShopID, err)
}

// validateProductUpsert checks the upsert and fills its defaults, in
// copies of its variants and their levels: the caller's slices, which
// share their arrays with up's, are left as they were.
func validateProductUpsert(up *stockbell.ProductUpsert) error {
	if up.PlatformID == "" {
		return stockbell.FieldErrorf("platform_id", "product platform id is required")
	}
	if !up.UpdatedAt.IsZero() {
		up.UpdatedAt = up.UpdatedAt.UTC().Truncate(time.Microsecond)
	}
	if r := up.Recovered; r != nil && (r.ShopID != up.ShopID || strings.TrimSpace(r.Source) == "" || r.Failed()) {
		return stockbell.FieldErrorf("recovered", "the recovery an upsert records is a success of a source of its shop")
	}
	up.Variants = slices.Clone(up.Variants)
	for i := range up.Variants {
		up.Variants[i].Levels = slices.Clone(up.Variants[i].Levels)
		if err := validateVariantUpsert(i, &up.Variants[i]); err != nil {
			return err
		}
	}
	return nil
}

func validateVariantUpsert(i int, v *stockbell.VariantUpsert) error {
	field := func(name string) string { return fmt.Sprintf("variants[%d].%s", i, name) }
	if v.PlatformID == "" {
		return stockbell.FieldErrorf(field("platform_id"), "variant %d has no platform id", i)
	}
	switch v.InventoryPolicy {
	case "":
		v.InventoryPolicy = stockbell.InventoryDeny
	case stockbell.InventoryDeny, stockbell.InventoryContinue:
	default:
		return stockbell.FieldErrorf(field("inventory_policy"), "inventory policy must be deny or continue, got %q", v.InventoryPolicy)
	}
	seen := map[string]bool{}
	for j := range v.Levels {
		if v.Levels[j].LocationID == "" {
			v.Levels[j].LocationID = stockbell.DefaultLocation
		}
		if seen[v.Levels[j].LocationID] {
			return stockbell.FieldErrorf(field("levels"), "location %q is listed twice", v.Levels[j].LocationID)
		}
		seen[v.Levels[j].LocationID] = true
	}
	return nil
}

func upsertProduct(ctx context.Context, tx *Tx, up stockbell.ProductUpsert) (*stockbell.Product, error) {
	stored, err := lockOrInsertProduct(ctx, tx, up)
	if err != nil {
		return nil, err
	}
	seen, err := seenSeq(ctx, tx, up.Read)
	if err != nil {
		return nil, err
	}
	if err := markProductSeen(ctx, tx, stored.ID, seen); err != nil {
		return nil, err
	}
	w := variantWrite{productID: stored.ID, seen: seen}
	if stored.fresh {
		return &stored.Product, upsertVariants(ctx, tx, up, w, nil)
	}
	if stale(up.UpdatedAt, stored.PlatformUpdatedAt) {
		w.fieldsStale = true
		return &stored.Product, upsertVariants(ctx, tx, up, w, nil)
	}
	if err := updateProduct(ctx, tx, stored.ID, up); err != nil {
		return nil, err
	}
	var changed []int64
	if stored.Published != up.Published || stored.Deleted {
		// Every variant's notifiability changes (locked with the listed
		// ones, lockUpsertVariants).
		if err := tx.SelectContext(ctx, &changed, tx.Rebind(`SELECT id FROM variants WHERE product_id = ? ORDER BY id`), stored.ID); err != nil {
			return nil, err
		}
	}
	vanished, err := vanishedVariants(ctx, tx, stored.ID, up, seen)
	if err != nil {
		return nil, err
	}
	if err := upsertVariants(ctx, tx, up, w, append(changed, vanished...)); err != nil {
		return nil, err
	}
	if err := deleteVanishedVariants(ctx, tx, stored.ID, vanished, seen); err != nil {
		return nil, err
	}
	return findProduct(ctx, tx, stored.ID)
}

// stale reports whether a change made at `at` is older than the stored one.
func stale(at time.Time, stored *time.Time) bool {
	return !at.IsZero() && stored != nil && at.Before(*stored)
}

// lockedProduct is a product row locked for this transaction; fresh when
// this transaction has just inserted it.
type lockedProduct struct {
	productRow
	fresh bool
}

// lockOrInsertProduct returns the stored product locked for update, or
// inserts it. Of two transactions inserting one product at once, the second
// waits for the first and then finds its row.
func lockOrInsertProduct(ctx context.Context, tx *Tx, up stockbell.ProductUpsert) (*lockedProduct, error) {
	tx.catalogChanged = true
	query := tx.Rebind(`SELECT ` + productColumns + `, platform_updated_at FROM products WHERE shop_id = ? AND platform_id = ?` + tx.forUpdate())
	var row lockedProduct
	err := tx.GetContext(ctx, &row.productRow, query, up.ShopID, up.PlatformID)
	if !isNoRows(err) {
		return &row, err
	}
	now := tx.db.now()
	var id int64
	err = tx.QueryRowxContext(ctx, tx.Rebind(`INSERT INTO products (shop_id, platform_id, title, handle, url, image_url,
		published, deleted, platform_updated_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, platform_id) DO NOTHING RETURNING id`),
		up.ShopID, up.PlatformID, up.Title, up.Handle, up.URL, up.ImageURL, up.Published, false, nullTime(up.UpdatedAt), now, now).Scan(&id)
	if isNoRows(err) {
		err = tx.GetContext(ctx, &row.productRow, query, up.ShopID, up.PlatformID)
		return &row, err
	}
	if err != nil {
		return nil, err
	}
	product, err := findProduct(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return &lockedProduct{productRow: productRow{Product: *product}, fresh: true}, nil
}

func updateProduct(ctx context.Context, tx *Tx, id int64, up stockbell.ProductUpsert) error {
	tx.catalogChanged = true
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE products SET title = ?, handle = ?, url = ?, image_url = ?,
		published = ?, deleted = ?, platform_updated_at = COALESCE(?, platform_updated_at), updated_at = ? WHERE id = ?`),
		up.Title, up.Handle, up.URL, up.ImageURL, up.Published, false, nullTime(up.UpdatedAt), tx.db.now(), id)
	return err
}

// nullTime stores a zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func findProduct(ctx context.Context, tx *Tx, id int64) (*stockbell.Product, error) {
	var p stockbell.Product
	err := tx.GetContext(ctx, &p, tx.Rebind(`SELECT `+productColumns+` FROM products WHERE id = ?`), id)
	if err != nil {
		return nil, notFound(err, "product %d not found", id)
	}
	return &p, nil
}

// DeleteProduct marks a product deleted; its variants notify no one, and a
// VariantStockChangedJob per variant someone is queued for tells the
// engine so (for the others its decision would be to do nothing). Returns
// ENOTFOUND.
func (db *DB) DeleteProduct(ctx context.Context, shopID int64, platformID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := deleteProduct(ctx, tx, shopID, platformID, nil)
		return err
	})
}

// HoldsProduct reports whether the shop has stored the product, deleted
// or not: one look-up of the (shop_id, platform_id) unique index.
func (db *DB) HoldsProduct(ctx context.Context, shopID int64, platformID string) (bool, error) {
	var held bool
	err := db.inRead(func(tx *Tx) error {
		return tx.GetContext(ctx, &held, tx.Rebind(`SELECT EXISTS (SELECT 1 FROM products WHERE shop_id = ? AND platform_id = ?)`),
			shopID, platformID)
	})
	return held, err
}

// HoldsItem reports whether the shop has stored a variant the inventory
// item backs, deleted or not (its product too): one look-up of the
// partial index variants_inventory_item, whose condition the query
// repeats so that the planner may use it. The empty id, of variants
// without an item, is held by none.
func (db *DB) HoldsItem(ctx context.Context, shopID int64, itemID string) (bool, error) {
	var held bool
	err := db.inRead(func(tx *Tx) error {
		return tx.GetContext(ctx, &held, tx.Rebind(`SELECT EXISTS (SELECT 1 FROM variants
			WHERE shop_id = ? AND inventory_item_id = ? AND inventory_item_id <> '')`), shopID, itemID)
	})
	return held, err
}

// DeleteVanishedProduct marks deleted, as DeleteProduct does, a product
// the complete catalog sync begun with sync did not list, unless a read
// begun since found it (the product's seen_seq): a webhook about a product
// made after the sync's listing was read keeps it. It reports whether the
// product was deleted. Returns EINVALID for a zero sync, ENOTFOUND.
func (db *DB) DeleteVanishedProduct(ctx context.Context, shopID int64, platformID string, sync stockbell.StockRead) (bool, error) {
	if sync.Seq <= 0 {
		return false, stockbell.FieldErrorf("sync", "a vanished product is judged against the read its sync began with")
	}
	var deleted bool
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		deleted, err = deleteProduct(ctx, tx, shopID, platformID, &sync)
		return err
	})
	return deleted, err
}

// deleteProduct marks the product deleted, unless it already is or, with
// vanishedSince, a read begun since found it.
func deleteProduct(ctx context.Context, tx *Tx, shopID int64, platformID string, vanishedSince *stockbell.StockRead) (bool, error) {
	var p productRow
	err := tx.GetContext(ctx, &p, tx.Rebind(`SELECT `+productColumns+`, platform_updated_at, seen_seq FROM products
		WHERE shop_id = ? AND platform_id = ?`+tx.forUpdate()), shopID, platformID)
	if err != nil {
		return false, notFound(err, "product %q not found", platformID)
	}
	if p.Deleted || (vanishedSince != nil && p.SeenSeq != nil && *p.SeenSeq >= vanishedSince.Seq) {
		return false, nil
	}
	tx.catalogChanged = true
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE products SET deleted = ?, updated_at = ? WHERE id = ?`), true, tx.db.now(), p.ID); err != nil {
		return false, err
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT id FROM variants WHERE product_id = ? ORDER BY id`), p.ID); err != nil {
		return false, err
	}
	if err := lockVariantsInOrder(ctx, tx, ids); err != nil {
		return false, err
	}
	return true, insertQueuedStockJobs(ctx, tx, shopID, ids)
}

// seenSeq is the stock sequence number that orders what an upsert found:
// its read's, or this write's when it comes from no read.
func seenSeq(ctx context.Context, tx *Tx, read *stockbell.StockRead) (int64, error) {
	if read != nil && read.Seq != 0 {
		return read.Seq, nil
	}
	return tx.nextStockSeq(ctx)
}

// markProductSeen records on the product the read that found it (seen,
// seenSeq), keeping the latest: the order DeleteVanishedProduct judges a
// sync's listing by.
func markProductSeen(ctx context.Context, tx *Tx, productID, seen int64) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE products SET seen_seq = ? WHERE id = ? AND (seen_seq IS NULL OR seen_seq < ?)`),
		seen, productID, seen)
	return err
}

// insertQueuedStockJobs tells the restock engine that these variants of
// the shop changed, those someone is queued for only: the engine's
// decision for the others would be to do nothing (see recordStockChange).
// On PostgreSQL the transaction must hold the variants locked for update
// from before their changes were written, so that a subscription racing
// them either sees the change or is seen here.
func insertQueuedStockJobs(ctx context.Context, tx *Tx, shopID int64, variantIDs []int64) error {
	queued, err := queuedVariants(ctx, tx, variantIDs)
	if err != nil {
		return err
	}
	var wake []int64
	for _, id := range variantIDs {
		if queued[id] {
			wake = append(wake, id)
		}
	}
	return insertStockJobs(ctx, tx, shopID, wake)
}

// insertStockJobs tells the restock engine that these variants of the
// shop changed, in one statement.
func insertStockJobs(ctx context.Context, tx *Tx, shopID int64, variantIDs []int64) error {
	if len(variantIDs) == 0 {
		return nil
	}
	jobs := make([]stockbell.JobArgs, len(variantIDs))
	for i, id := range variantIDs {
		jobs[i] = stockbell.VariantStockChangedJob{ShopID: shopID, VariantID: id}
	}
	return tx.insertJobs(ctx, jobs, nil)
}
