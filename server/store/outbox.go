package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.OutboxService = (*DB)(nil)

const outboxColumns = `id, shop_id, message_id, test, channel, recipient, from_name, subject, text_body, html_body, provider_id, sent_at`

// RecordOutboxMessage stores what the development sender sent. Returns
// ENOTFOUND for a shop erased meanwhile; a message deleted meanwhile (its
// shop's erase deletes its shoppers first, an erasure deletes theirs), or
// not the shop's, is kept without its message id, as the message's later
// delete leaves it.
//
// It takes the shop's key share first (holdShop), as a writer of the
// shop's own rows does, and reads the message with the key share its id's
// foreign key takes: a delete of either that has not committed is waited
// for and found, where the insert's keys then failed the send as a
// violation.
func (db *DB) RecordOutboxMessage(ctx context.Context, m *stockbell.OutboxMessage) error {
	if m.ShopID == 0 {
		return stockbell.FieldErrorf("shop_id", "An outbox message names its shop.")
	}
	return db.inTx(ctx, func(tx *Tx) (err error) {
		if err := holdShop(ctx, tx, m.ShopID); err != nil {
			return err
		}
		if m.MessageID, err = heldMessage(ctx, tx, m.ShopID, m.MessageID); err != nil {
			return err
		}
		m.SentAt = tx.db.now()
		m.ID, err = tx.insertID(ctx, `INSERT INTO dev_outbox (shop_id, message_id, test, channel, recipient, from_name, subject,
			text_body, html_body, provider_id, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ShopID, m.MessageID, m.Test, m.Channel, m.Recipient, m.FromName, m.Subject, m.Text, m.HTML, m.ProviderID, m.SentAt)
		return err
	})
}

// heldMessage returns id, nil when it names no stored message of the
// shop, holding the message's key share on PostgreSQL.
func heldMessage(ctx context.Context, tx *Tx, shopID int64, id *int64) (*int64, error) {
	if id == nil {
		return nil, nil
	}
	var held int64
	err := tx.GetContext(ctx, &held, tx.Rebind(`SELECT id FROM messages WHERE id = ? AND shop_id = ?`+tx.forKeyShareOf("messages")), *id, shopID)
	if isNoRows(err) {
		return nil, nil
	}
	return id, err
}

// FindOutboxMessages returns the matching messages, newest first, and the total count.
func (db *DB) FindOutboxMessages(ctx context.Context, filter stockbell.OutboxFilter) ([]*stockbell.OutboxMessage, int, error) {
	w, err := shopScope("shop_id", filter.ShopID)
	if err != nil {
		return nil, 0, err
	}
	if filter.ID != nil {
		w.add("id = ?", *filter.ID)
	}
	out := []*stockbell.OutboxMessage{}
	var total int
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT COUNT(*) FROM dev_outbox`+w.String()), w.args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &out, tx.Rebind(`SELECT `+outboxColumns+` FROM dev_outbox`+w.String()+
			` ORDER BY sent_at DESC, id DESC`+page(filter.Offset, filter.Limit)), w.args...)
	})
	return out, total, err
}
