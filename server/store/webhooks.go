package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.WebhookService = (*DB)(nil)

const deliveryColumns = `id, platform, shop_id, domain, delivery_id, topic, payload, triggered_at, received_at, processed_at`

// RecordDelivery stores the delivery and inserts a ProcessWebhookJob in the
// same transaction. A delivery seen before (same platform, domain and
// delivery id) returns created=false, inserts nothing, and sets d.ID to the
// stored delivery. The insert uses ON CONFLICT DO NOTHING rather than
// catching a unique violation, which would abort a PostgreSQL transaction.
// Returns EINVALID for an unknown platform or a missing domain, delivery id
// or topic.
func (db *DB) RecordDelivery(ctx context.Context, d *stockbell.WebhookDelivery) (created bool, err error) {
	if err := validateDelivery(d); err != nil {
		return false, err
	}
	d.Domain = normalizeDomain(d.Domain)
	err = db.inTx(ctx, func(tx *Tx) (err error) {
		created, err = recordDelivery(ctx, tx, d)
		return err
	})
	return created, err
}

func validateDelivery(d *stockbell.WebhookDelivery) error {
	switch {
	case !d.Platform.Valid():
		return stockbell.FieldErrorf("platform", "unknown platform %q", d.Platform)
	case d.Domain == "":
		return stockbell.FieldErrorf("domain", "webhook delivery names no shop domain")
	case d.DeliveryID == "":
		return stockbell.FieldErrorf("delivery_id", "webhook delivery has no delivery id")
	case d.Topic == "":
		return stockbell.FieldErrorf("topic", "webhook delivery has no topic")
	}
	return nil
}

func recordDelivery(ctx context.Context, tx *Tx, d *stockbell.WebhookDelivery) (bool, error) {
	d.ReceivedAt = tx.db.now()
	if d.TriggeredAt.IsZero() {
		d.TriggeredAt = d.ReceivedAt
	}
	if d.Payload == nil {
		d.Payload = []byte{}
	}
	err := tx.QueryRowxContext(ctx, tx.Rebind(`INSERT INTO webhook_deliveries (platform, shop_id, domain, delivery_id, topic,
		payload, triggered_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, domain, delivery_id) DO NOTHING RETURNING id`),
		d.Platform, d.ShopID, d.Domain, d.DeliveryID, d.Topic, d.Payload, d.TriggeredAt.UTC(), d.ReceivedAt).Scan(&d.ID)
	if isNoRows(err) {
		return false, tx.GetContext(ctx, &d.ID, tx.Rebind(`SELECT id FROM webhook_deliveries
			WHERE platform = ? AND domain = ? AND delivery_id = ?`), d.Platform, d.Domain, d.DeliveryID)
	}
	if err != nil {
		return false, err
	}
	return true, tx.insertJob(ctx, stockbell.ProcessWebhookJob{DeliveryID: d.ID}, nil)
}

// FindDelivery returns ENOTFOUND.
func (db *DB) FindDelivery(ctx context.Context, id int64) (*stockbell.WebhookDelivery, error) {
	var d stockbell.WebhookDelivery
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &d, tx.Rebind(`SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = ?`), id)
	})
	if err != nil {
		return nil, notFound(err, "webhook delivery %d not found", id)
	}
	return &d, nil
}

// MarkDeliveryProcessed records that the delivery's work is done; marking
// it again keeps the first time. Returns ENOTFOUND.
func (db *DB) MarkDeliveryProcessed(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_deliveries SET processed_at = COALESCE(processed_at, ?)
			WHERE id = ?`), tx.db.now(), id)
		return mustAffect(res, err, "webhook delivery %d", id)
	})
}
