package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.ClickService = (*DB)(nil)

// RecordClick records one click on a message's tracked link and returns
// where the link leads, read from the message's variant as it is now (a
// product that moved still gets its clicks). Returns ENOTFOUND, also for
// a message deleted meanwhile (its shop's erase, its shopper's erasure).
//
// The message is read with the key-share lock its click's foreign key
// takes (on PostgreSQL): a delete of the message that has not committed
// is waited for and the message found gone, where a plain read found it
// and the click's key then failed the click as a violation (a server
// error page for the shopper). A delete begun after waits for the click.
func (db *DB) RecordClick(ctx context.Context, messageID int64) (*stockbell.LinkTarget, error) {
	var target *stockbell.LinkTarget
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if target, err = findLinkTarget(ctx, tx, messageID, tx.forKeyShareOf("m")); err != nil {
			return err
		}
		return insertClick(ctx, tx, target.ShopID, messageID)
	})
	if err != nil {
		return nil, err
	}
	return target, nil
}

// RecordLandingClick records a click on the shop's message reported by the
// page its link led to, unless the message has a click recorded in the
// last within. The message's row is locked first, so two reports of one
// landing racing on PostgreSQL record one click. Returns ENOTFOUND when
// the shop has no such message.
func (db *DB) RecordLandingClick(ctx context.Context, shopID, messageID int64, within time.Duration) (bool, error) {
	recorded := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, tx.Rebind(`SELECT id FROM messages WHERE id = ? AND shop_id = ?`+tx.forNoKeyUpdate()), messageID, shopID)
		if err != nil {
			return notFound(err, "message %d not found", messageID)
		}
		var recent int
		err = tx.GetContext(ctx, &recent, tx.Rebind(`SELECT COUNT(*) FROM message_clicks WHERE message_id = ? AND clicked_at > ?`),
			messageID, tx.db.now().Add(-within))
		if err != nil || recent > 0 {
			return err
		}
		recorded = true
		return insertClick(ctx, tx, shopID, messageID)
	})
	return recorded && err == nil, err
}

// insertClick records one click on a message of the shop, now.
func insertClick(ctx context.Context, tx *Tx, shopID, messageID int64) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO message_clicks (shop_id, message_id, clicked_at) VALUES (?, ?, ?)`),
		shopID, messageID, tx.db.now())
	return err
}

// FindLinkTarget returns where a message's link leads, recording nothing.
// Returns ENOTFOUND when the message no longer exists.
func (db *DB) FindLinkTarget(ctx context.Context, messageID int64) (*stockbell.LinkTarget, error) {
	var target *stockbell.LinkTarget
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var err error
		target, err = findLinkTarget(ctx, tx, messageID, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return target, nil
}

// findLinkTarget reads the message's shop, channel and pages, taking lock
// (empty: none) on the message's row.
func findLinkTarget(ctx context.Context, tx *Tx, messageID int64, lock string) (*stockbell.LinkTarget, error) {
	var target stockbell.LinkTarget
	err := tx.GetContext(ctx, &target, tx.Rebind(`
		SELECT m.shop_id, m.id AS message_id, m.channel, v.url AS variant_url, p.url AS product_url,
			sh.domain AS shop_domain, sh.primary_domain
		FROM messages m
		JOIN subscriptions s ON s.id = m.subscription_id
		JOIN variants v ON v.id = s.variant_id
		JOIN products p ON p.id = v.product_id
		JOIN shops sh ON sh.id = m.shop_id
		WHERE m.id = ?`+lock), messageID)
	if err != nil {
		return nil, notFound(err, "message %d not found", messageID)
	}
	return &target, nil
}

// CountClicks returns the number of recorded clicks matching the filter.
func (db *DB) CountClicks(ctx context.Context, filter stockbell.ClickFilter) (int, error) {
	w, err := shopScope("shop_id", filter.ShopID)
	if err != nil {
		return 0, err
	}
	if filter.MessageID != nil {
		w.add("message_id = ?", *filter.MessageID)
	}
	if filter.Since != nil {
		w.add("clicked_at >= ?", filter.Since.UTC())
	}
	var n int
	err = db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM message_clicks`+w.String()), w.args...)
	})
	return n, err
}
