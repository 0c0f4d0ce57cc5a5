package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// FindProducts returns the shop's products, deleted ones too, by title
// then id (at most limit, 1 to 1000), and how many the shop has.
func (db *DB) FindProducts(ctx context.Context, shopID int64, limit int) ([]*stockbell.Product, int, error) {
	products := []*stockbell.Product{}
	var total int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT COUNT(*) FROM products WHERE shop_id = ?`), shopID); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &products, tx.Rebind(`SELECT `+productColumns+` FROM products WHERE shop_id = ?
			ORDER BY title, id`+page(0, limit)), shopID)
	})
	return products, total, err
}
