package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.ReceiptService = (*DB)(nil)

const receiptColumns = `id, platform, shop_id, domain, event_id, topic, payload, triggered_at, received_at, processed_at`

// RecordReceipt stores the receipt and inserts a ProcessReceiptJob in the
// same transaction, a group transaction shared with concurrent requests'
// writes (see groupCommit); it returns once that transaction committed. A receipt seen before (same platform, domain and event
// id) returns created=false, inserts nothing, and sets r.ID to the stored
// receipt. The insert uses ON CONFLICT DO NOTHING rather than catching a
// unique violation, which would abort a PostgreSQL transaction. Returns
// EINVALID for an unknown platform or a missing domain, event id or topic.
func (db *DB) RecordReceipt(ctx context.Context, r *stockbell.WebhookReceipt) (created bool, err error) {
	if err := validateReceipt(r); err != nil {
		return false, err
	}
	r.Domain = normalizeDomain(r.Domain)
	err = db.group.do(ctx, func(ctx context.Context, tx *Tx) (err error) {
		created, err = recordReceipt(ctx, tx, r)
		return err
	})
	return created, err
}

func validateReceipt(r *stockbell.WebhookReceipt) error {
	switch {
	case !r.Platform.Valid():
		return stockbell.FieldErrorf("platform", "unknown platform %q", r.Platform)
	case r.Domain == "":
		return stockbell.FieldErrorf("domain", "webhook receipt names no shop domain")
	case r.EventID == "":
		return stockbell.FieldErrorf("event_id", "webhook receipt has no event id")
	case r.Topic == "":
		return stockbell.FieldErrorf("topic", "webhook receipt has no topic")
	}
	return nil
}

func recordReceipt(ctx context.Context, tx *Tx, r *stockbell.WebhookReceipt) (bool, error) {
	r.ReceivedAt = tx.db.now()
	if r.TriggeredAt.IsZero() {
		r.TriggeredAt = r.ReceivedAt
	}
	if r.Payload == nil {
		r.Payload = []byte{}
	}
	err := tx.QueryRowxContext(ctx, tx.Rebind(`INSERT INTO webhook_receipts (platform, shop_id, domain, event_id, topic,
		payload, triggered_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, domain, event_id) DO NOTHING RETURNING id`),
		r.Platform, r.ShopID, r.Domain, r.EventID, r.Topic, r.Payload, r.TriggeredAt.UTC(), r.ReceivedAt).Scan(&r.ID)
	if isNoRows(err) {
		return false, tx.GetContext(ctx, &r.ID, tx.Rebind(`SELECT id FROM webhook_receipts
			WHERE platform = ? AND domain = ? AND event_id = ?`), r.Platform, r.Domain, r.EventID)
	}
	if err != nil {
		return false, err
	}
	return true, tx.insertJob(ctx, stockbell.ProcessReceiptJob{ReceiptID: r.ID}, nil)
}

// FindReceipt returns ENOTFOUND.
func (db *DB) FindReceipt(ctx context.Context, id int64) (*stockbell.WebhookReceipt, error) {
	var r stockbell.WebhookReceipt
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &r, tx.Rebind(`SELECT `+receiptColumns+` FROM webhook_receipts WHERE id = ?`), id)
	})
	if err != nil {
		return nil, notFound(err, "webhook receipt %d not found", id)
	}
	return &r, nil
}

// MarkReceiptProcessed records that the receipt's work is done; marking it
// again keeps the first time. Returns ENOTFOUND.
func (db *DB) MarkReceiptProcessed(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_receipts SET processed_at = COALESCE(processed_at, ?)
			WHERE id = ?`), tx.db.now(), id)
		return mustAffect(res, err, "webhook receipt %d", id)
	})
}
