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
