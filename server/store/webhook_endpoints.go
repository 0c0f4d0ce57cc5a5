package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.WebhookEndpointService = (*DB)(nil)

const webhookEndpointColumns = `id, shop_id, url, description, event_types, last_success_at, failing_since,
	disabled_at, disabled_reason, created_at, updated_at`

// webhookEndpointRow is an endpoint as stored: event types space-separated.
type webhookEndpointRow struct {
	stockbell.WebhookEndpoint
	Types string `db:"event_types"`
}

func (r *webhookEndpointRow) endpoint() *stockbell.WebhookEndpoint {
	e := r.WebhookEndpoint
	e.EventTypes = strings.Fields(r.Types)
	return &e
}

// CreateWebhookEndpoint stores a validated endpoint with its sealed secret.
// Returns EINVALID naming event_types for none or an unknown one (see
// stockbell.CheckWebhookEventTypes), ENOTFOUND for an unknown shop,
// ECONFLICT over MaxWebhookEndpoints.
func (db *DB) CreateWebhookEndpoint(ctx context.Context, c stockbell.WebhookEndpointCreate, sealedSecret []byte) (*stockbell.WebhookEndpoint, error) {
	if err := stockbell.CheckWebhookEventTypes(c.EventTypes); err != nil {
		return nil, err
	}
	var e *stockbell.WebhookEndpoint
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := holdShop(ctx, tx, c.ShopID); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM webhook_endpoints WHERE shop_id = ?`), c.ShopID); err != nil {
			return err
		}
		if n >= stockbell.MaxWebhookEndpoints {
			return stockbell.Errorf(stockbell.ECONFLICT, "A shop has at most %d webhook endpoints: delete one first.", stockbell.MaxWebhookEndpoints)
		}
		now := tx.db.now()
		id, err := tx.insertID(ctx, `INSERT INTO webhook_endpoints (shop_id, url, description, event_types, sealed_secret, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ShopID, c.URL, c.Description, strings.Join(c.EventTypes, " "), sealedSecret, now, now)
		if err != nil {
			return err
		}
		e, err = findWebhookEndpoint(ctx, tx, c.ShopID, id)
		return err
	})
	return e, err
}

// FindWebhookEndpoints returns the shop's endpoints, oldest first.
func (db *DB) FindWebhookEndpoints(ctx context.Context, shopID int64) ([]*stockbell.WebhookEndpoint, error) {
	var rows []webhookEndpointRow
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT `+webhookEndpointColumns+` FROM webhook_endpoints WHERE shop_id = ? ORDER BY id`), shopID)
	})
	endpoints := make([]*stockbell.WebhookEndpoint, 0, len(rows))
	for i := range rows {
		endpoints = append(endpoints, rows[i].endpoint())
	}
	return endpoints, err
}

// FindWebhookEndpoint returns ENOTFOUND unless the endpoint is the shop's.
func (db *DB) FindWebhookEndpoint(ctx context.Context, shopID, id int64) (*stockbell.WebhookEndpoint, error) {
	var e *stockbell.WebhookEndpoint
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		e, err = findWebhookEndpoint(ctx, tx, shopID, id)
		return err
	})
	return e, err
}

func findWebhookEndpoint(ctx context.Context, tx *Tx, shopID, id int64) (*stockbell.WebhookEndpoint, error) {
	var row webhookEndpointRow
	err := tx.GetContext(ctx, &row, tx.Rebind(`SELECT `+webhookEndpointColumns+` FROM webhook_endpoints WHERE id = ? AND shop_id = ?`), id, shopID)
	if err != nil {
		return nil, notFound(err, "webhook endpoint %d not found", id)
	}
	return row.endpoint(), nil
}

// DeleteWebhookEndpoint removes the shop's endpoint. Returns ENOTFOUND.
func (db *DB) DeleteWebhookEndpoint(ctx context.Context, shopID, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM webhook_endpoints WHERE id = ? AND shop_id = ?`), id, shopID)
		return mustAffect(res, err, "webhook endpoint %d", id)
	})
}

// SetWebhookEndpointEnabled enables the shop's endpoint (forgetting its
// failures) or disables it at the merchant's request. Returns ENOTFOUND.
func (db *DB) SetWebhookEndpointEnabled(ctx context.Context, shopID, id int64, enabled bool) (*stockbell.WebhookEndpoint, error) {
	var e *stockbell.WebhookEndpoint
	err := db.inTx(ctx, func(tx *Tx) error {
		now := tx.db.now()
		query := `UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = '', failing_since = NULL, updated_at = ? WHERE id = ? AND shop_id = ?`
		args := []any{now, id, shopID}
		if !enabled {
			query = `UPDATE webhook_endpoints SET disabled_at = COALESCE(disabled_at, ?), disabled_reason = ?, updated_at = ? WHERE id = ? AND shop_id = ?`
			args = []any{now, "Disabled by the merchant.", now, id, shopID}
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(query), args...)
		if err := mustAffect(res, err, "webhook endpoint %d", id); err != nil {
			return err
		}
		e, err = findWebhookEndpoint(ctx, tx, shopID, id)
		return err
	})
	return e, err
}

// WebhookEndpointSecret returns the shop's endpoint and its sealed secret.
// Returns ENOTFOUND for a deleted endpoint (or another shop's).
func (db *DB) WebhookEndpointSecret(ctx context.Context, shopID, id int64) (*stockbell.WebhookEndpoint, []byte, error) {
	var row struct {
		webhookEndpointRow
		Sealed []byte `db:"sealed_secret"`
	}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &row, tx.Rebind(`SELECT `+webhookEndpointColumns+`, sealed_secret FROM webhook_endpoints WHERE id = ? AND shop_id = ?`), id, shopID)
	})
	if err != nil {
		return nil, nil, notFound(err, "webhook endpoint %d not found", id)
	}
	return row.endpoint(), row.Sealed, nil
}

// RecordWebhookDelivery records an attempt: a success clears the
// endpoint's failures; a failure starts them (failing_since); a final
// failure disables the endpoint, with a WebhookEndpointDisabledJob, when it
// accepted no delivery since the message's event. A deleted endpoint (or
// another shop's) is ENOTFOUND.
func (db *DB) RecordWebhookDelivery(ctx context.Context, d stockbell.WebhookDelivery) (*stockbell.WebhookEndpoint, error) {
	var e *stockbell.WebhookEndpoint
	err := db.inTx(ctx, func(tx *Tx) error {
		var row webhookEndpointRow
		err := tx.GetContext(ctx, &row, tx.Rebind(`SELECT `+webhookEndpointColumns+` FROM webhook_endpoints WHERE id = ? AND shop_id = ?`+tx.forUpdate()),
			d.EndpointID, d.ShopID)
		if err != nil {
			return notFound(err, "webhook endpoint %d not found", d.EndpointID)
		}
		e = row.endpoint()
		return recordDelivery(ctx, tx, e, d)
	})
	return e, err
}

func recordDelivery(ctx context.Context, tx *Tx, e *stockbell.WebhookEndpoint, d stockbell.WebhookDelivery) error {
	now := tx.db.now()
	switch {
	case d.OK:
		e.LastSuccessAt, e.FailingSince = &now, nil
	case e.FailingSince == nil:
		e.FailingSince = &now
	}
	disable := !d.OK && d.Final && e.Enabled() && (e.LastSuccessAt == nil || e.LastSuccessAt.Before(d.MessageAt))
	if disable {
		e.DisabledAt = &now
		e.DisabledReason = "Disabled after every delivery attempt failed for " + shortSpan(now.Sub(*e.FailingSince)) + ": " + d.Error
	}
	e.UpdatedAt = now
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_endpoints SET last_success_at = ?, failing_since = ?, disabled_at = ?,
		disabled_reason = ?, updated_at = ? WHERE id = ? AND shop_id = ?`), e.LastSuccessAt, e.FailingSince, e.DisabledAt, e.DisabledReason, now, e.ID, e.ShopID)
	if err != nil || !disable {
		return err
	}
	return tx.insertJob(ctx, stockbell.WebhookEndpointDisabledJob{ShopID: e.ShopID, EndpointID: e.ID}, nil)
}

// shortSpan writes a span in whole hours, or minutes under an hour.
func shortSpan(d time.Duration) string {
	if d < time.Hour {
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return fmt.Sprintf("%d hours", int(d.Hours()))
}
