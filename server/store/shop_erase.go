package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// DeleteShop erases an uninstalled shop and all its data in two
// transactions, each of which checks the status (a shop installed again
// meanwhile is never erased: ECONFLICT): the first erases its shoppers
// (eraseShoppers), the second the shop with everything else
// (eraseShop). Erasing the shoppers first keeps the erase in lock order
// (lockorder.go): a writer may hold a subscription and then wait for its
// variant's key-share lock, or for the shop's, both of which the shop's
// delete takes for update; and a writer holding a variant's key share may
// then wait for a subscription. Once the shoppers' rows are committed
// gone, the second transaction waits for no row such a writer holds.
// A failure after the first leaves the shop without shoppers; erasing it
// again finishes the work. A writer of the shop's own rows meanwhile (a
// first settings update inserts the settings row) holds the shop's key
// share from its start (holdShop): begun before the shop's delete, it is
// waited for and what it wrote is erased with the shop; begun after, it
// waits for the erase and finds the shop gone (ENOTFOUND).
func (db *DB) DeleteShop(ctx context.Context, id int64) error {
	if err := db.inTx(ctx, func(tx *Tx) error { return eraseShoppers(ctx, tx, id) }); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error { return eraseShop(ctx, tx, id) })
}

// eraseShoppers deletes the shop's messages and then its subscriptions,
// each locked in id order first, as a send step, an approval, StopSMS and
// RedactContact lock them; the subscriptions' confirmations and
// conversions go with them. It waits for no lock on the shop's row.
func eraseShoppers(ctx context.Context, tx *Tx, id int64) error {
	if err := holdShopToErase(ctx, tx, id); err != nil {
		return err
	}
	for _, table := range []string{"messages", "subscriptions"} {
		if err := lockShopRowsInIDOrder(ctx, tx, table, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM `+table+` WHERE shop_id = ?`), id); err != nil {
			return err
		}
	}
	return nil
}

// eraseShop locks the shop's feed's row, then its products and then its
// variants in id order, as every catalog writer takes them (a feed's
// writers hold the feed's row first), and deletes the shop, which
// through the schema's cascading foreign keys deletes its catalog and
// settings; the delete's lock on the row waits for the writers holding
// its key-share lock (a foreign key's check). Then its events and
// messages, which on PostgreSQL have no key to shops or subscriptions
// (migrations 0130, 0140), and its jobs in the queue (eraseShopJobs),
// which have none either: they go last so that those the writers waited
// for wrote go too.
func eraseShop(ctx context.Context, tx *Tx, id int64) error {
	tx.shopsChanged = true
	if err := holdShopToErase(ctx, tx, id); err != nil {
		return err
	}
	if err := lockShopFeed(ctx, tx, id); err != nil {
		return err
	}
	for _, table := range []string{"products", "variants"} {
		if err := lockShopRowsInIDOrder(ctx, tx, table, id); err != nil {
			return err
		}
	}
	var domain string
	if err := tx.GetContext(ctx, &domain, tx.Rebind(`DELETE FROM shops WHERE id = ? RETURNING domain`), id); err != nil {
		return err
	}
	for _, table := range []string{"events", "messages"} {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM `+table+` WHERE shop_id = ?`), id); err != nil {
			return err
		}
	}
	return eraseShopJobs(ctx, tx, id, domain)
}

// holdShopToErase checks that the shop exists (ENOTFOUND) and is not
// installed (ECONFLICT: a redaction request for a shop installed again
// since), holding on PostgreSQL the row's no-key update lock, which an
// install takes too, so that the status stays as read; unlike the
// delete's, that lock does not block a foreign key's key-share lock.
func holdShopToErase(ctx context.Context, tx *Tx, id int64) error {
	var status stockbell.ShopStatus
	err := tx.GetContext(ctx, &status, tx.Rebind(`SELECT status FROM shops WHERE id = ?`+tx.forNoKeyUpdate()), id)
	if err != nil {
		return notFound(err, "shop %d not found", id)
	}
	if status == stockbell.ShopInstalled {
		return stockbell.Errorf(stockbell.ECONFLICT, "shop %d is installed: it is not erased", id)
	}
	return nil
}

// lockShopRowsInIDOrder locks the shop's rows of table for update, in id
// order, on PostgreSQL (SQLite's writes are serial): a DELETE locks rows in
// the order its plan finds them. The rows are counted rather than sent.
func lockShopRowsInIDOrder(ctx context.Context, tx *Tx, table string, shopID int64) error {
	lock := tx.forUpdate()
	if lock == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`SELECT COUNT(*) FROM (SELECT id FROM `+table+` WHERE shop_id = ?
		ORDER BY id`+lock+`) locked`), shopID)
	return err
}

// lockShopFeed locks the shop's feed's row, if it has one, for update on
// PostgreSQL: a feed's writers (ApplyFeedItems, UnpublishFeedItems) hold
// it before the products and variants, so the erase takes it before them
// too, where the delete's cascade would take it after (lockorder.go).
func lockShopFeed(ctx context.Context, tx *Tx, id int64) error {
	lock := tx.forUpdate()
	if lock == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`SELECT COUNT(*) FROM (SELECT shop_id FROM feeds WHERE shop_id = ?`+lock+`) locked`), id)
	return err
}
