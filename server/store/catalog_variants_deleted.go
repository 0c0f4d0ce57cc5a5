package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// vanishedVariants returns, in id order, the product's stored variants
// that an upsert listing all of them (up.AllVariants) does not list and
// that no read begun since the upsert's (seen) found: the variants the
// platform removed from the product. An empty listing removes none: every
// platform's product has a variant, so it is a listing that left them out.
func vanishedVariants(ctx context.Context, tx *Tx, productID int64, up stockbell.ProductUpsert, seen int64) ([]int64, error) {
	if !up.AllVariants || len(up.Variants) == 0 {
		return nil, nil
	}
	listed := make(map[string]bool, len(up.Variants))
	for _, v := range up.Variants {
		listed[v.PlatformID] = true
	}
	var stored []struct {
		ID         int64  `db:"id"`
		PlatformID string `db:"platform_id"`
	}
	err := tx.SelectContext(ctx, &stored, tx.Rebind(`SELECT id, platform_id FROM variants
		WHERE product_id = ? AND deleted = ? AND (seen_seq IS NULL OR seen_seq < ?) ORDER BY id`), productID, false, seen)
	if err != nil {
		return nil, err
	}
	var vanished []int64
	for _, v := range stored {
		if !listed[v.PlatformID] {
			vanished = append(vanished, v.ID)
		}
	}
	return vanished, nil
}

// deleteVanishedVariants marks deleted the product's variants that
// vanishedVariants found, asking again under the variants' locks (taken
// by upsertVariants) that they are still the product's and that no read
// begun since seen found them.
func deleteVanishedVariants(ctx context.Context, tx *Tx, productID int64, vanished []int64, seen int64) error {
	if len(vanished) == 0 {
		return nil
	}
	tx.catalogChanged = true
	now := tx.db.now()
	for _, id := range vanished {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE variants SET deleted = ?, updated_at = ?
			WHERE id = ? AND product_id = ? AND deleted = ? AND (seen_seq IS NULL OR seen_seq < ?)`),
			true, now, id, productID, false, seen)
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteVanishedVariant marks deleted a variant that the complete catalog
// sync begun with sync did not list, of a product the sync kept: unless it
// is deleted already, its product is (which says more), or a read begun
// since found it (the variant's seen_seq), as a webhook's read does for a
// variant made after the listing was read. The engine is woken for it
// when someone waits for it. It reports whether the variant was deleted.
// Returns EINVALID for a zero sync, ENOTFOUND.
func (db *DB) DeleteVanishedVariant(ctx context.Context, shopID int64, platformID string, sync stockbell.StockRead) (bool, error) {
	if sync.Seq <= 0 {
		return false, stockbell.FieldErrorf("sync", "a vanished variant is judged against the read its sync began with")
	}
	var deleted bool
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		deleted, err = deleteVanishedVariant(ctx, tx, shopID, platformID, sync)
		return err
	})
	return deleted, err
}

func deleteVanishedVariant(ctx context.Context, tx *Tx, shopID int64, platformID string, sync stockbell.StockRead) (bool, error) {
	var v struct {
		ID             int64  `db:"id"`
		ProductID      int64  `db:"product_id"`
		Deleted        bool   `db:"deleted"`
		ProductDeleted bool   `db:"product_deleted"`
		SeenSeq        *int64 `db:"seen_seq"`
	}
	err := tx.GetContext(ctx, &v, tx.Rebind(`SELECT v.id, v.product_id, v.deleted, p.deleted AS product_deleted, v.seen_seq
		FROM variants v JOIN products p ON p.id = v.product_id WHERE v.shop_id = ? AND v.platform_id = ?`+tx.forUpdateOf("v")), shopID, platformID)
	if err != nil {
		return false, notFound(err, "variant %q not found", platformID)
	}
	if v.Deleted || v.ProductDeleted || (v.SeenSeq != nil && *v.SeenSeq >= sync.Seq) {
		return false, nil
	}
	if err := deleteVanishedVariants(ctx, tx, v.ProductID, []int64{v.ID}, sync.Seq); err != nil {
		return false, err
	}
	return true, insertQueuedStockJobs(ctx, tx, shopID, []int64{v.ID})
}
