package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.JobShops = (*DB)(nil)

// jobRowShopQueries read the shop of each kind of row a job names.
var jobRowShopQueries = map[stockbell.JobRow]string{
	stockbell.JobRowVariant:         `SELECT shop_id FROM variants WHERE id = ?`,
	stockbell.JobRowRestockBatch:    `SELECT shop_id FROM restock_batches WHERE id = ?`,
	stockbell.JobRowMessage:         `SELECT shop_id FROM messages WHERE id = ?`,
	stockbell.JobRowWebhookEndpoint: `SELECT shop_id FROM webhook_endpoints WHERE id = ?`,
	stockbell.JobRowReportDelivery: `SELECT r.shop_id FROM report_deliveries d
		JOIN report_subscriptions r ON r.id = d.subscription_id WHERE d.id = ?`,
}

// FindJobRowShop returns the shop of a row a job names by id alone: a job
// queued before job arguments carried their shop. It is the one read of a
// shop's row by its id alone, and only jobs call it; see stockbell.JobShops.
func (db *DB) FindJobRowShop(ctx context.Context, row stockbell.JobRow, id int64) (int64, error) {
	query, ok := jobRowShopQueries[row]
	if !ok {
		return 0, stockbell.FieldErrorf("row", "no job names a row of kind %q", row)
	}
	var shopID int64
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return notFound(tx.GetContext(ctx, &shopID, tx.Rebind(query), id), "%s %d not found", row, id)
	})
	return shopID, err
}
