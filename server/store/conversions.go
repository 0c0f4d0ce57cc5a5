package store

import (
	"context"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

var _ stockbell.ConversionService = (*DB)(nil)

// RecordOrder attributes an order to the notifications it follows (see
// stockbell.AttributeOrder) and records each conversion with its
// EventConverted event, in one transaction. A conversion already recorded —
// for the subscription, or for the order and variant — is left alone, so a
// retried order webhook changes nothing, even when two receipts of it race.
func (db *DB) RecordOrder(ctx context.Context, order stockbell.Order) error {
	if err := order.Validate(); err != nil {
		return err
	}
	order.Email, order.Phone = contact.CanonicalEmail(order.Email), contact.CanonicalPhone(order.Phone)
	// Revenue is summed per currency code: "eur" and "EUR" are one currency.
	order.Currency = stockbell.NormalizeCurrency(order.Currency)
	if order.Email == "" && order.Phone == "" {
		return nil // nobody to attribute the order to
	}
	return db.inTx(ctx, func(tx *Tx) error {
		settings, err := findSettings(ctx, tx, order.ShopID)
		if err != nil {
			return err
		}
		variantIDs, err := orderVariants(ctx, tx, order)
		if err != nil || len(variantIDs) == 0 {
			return err
		}
		notices, channels, err := findNotices(ctx, tx, order, variantIDs, settings.AttributionWindow)
		if err != nil || len(notices) == 0 {
			return err
		}
		for _, c := range stockbell.AttributeOrder(order, variantIDs, notices, settings.AttributionWindow) {
			if err := insertConversion(ctx, tx, c, channels[c.MessageID]); err != nil {
				return err
			}
		}
		return nil
	})
}

// orderVariants maps the platform ids of the order's lines to the shop's
// variants; lines naming no known variant are left out.
func orderVariants(ctx context.Context, tx *Tx, order stockbell.Order) (map[string]int64, error) {
	var ids []any
	seen := map[string]bool{}
	for _, line := range order.Lines {
		if line.VariantPlatformID != "" && !seen[line.VariantPlatformID] {
			seen[line.VariantPlatformID] = true
			ids = append(ids, line.VariantPlatformID)
		}
	}
	out := map[string]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID         int64  `db:"id"`
		PlatformID string `db:"platform_id"`
	}
	err := tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT id, platform_id FROM variants WHERE shop_id = ? AND platform_id IN (`+
		placeholders(len(ids))+`)`), append([]any{order.ShopID}, ids...)...)
	for _, r := range rows {
		out[r.PlatformID] = r.ID
	}
	return out, err
}

// noticeRow is a subscriber's first sent message (the lowest id sent).
type noticeRow struct {
	SubscriptionID int64     `db:"subscription_id"`
	VariantID      int64     `db:"variant_id"`
	MessageID      int64     `db:"message_id"`
	Email          string    `db:"email"`
	Phone          string    `db:"phone"`
	SentAt         time.Time `db:"sent_at"`
	Channel        string    `db:"channel"`
}

// findNotices returns the notifications the order may convert: subscribers
// of the bought variants with the order's email or phone, first messaged
// no earlier than two windows before the order (a click may extend one
// window by another) and not converted yet, with their clicks, and the
// channel of each notice's message by message id. The subscribers are
// read with the key-share lock a conversion's foreign key takes (on
// PostgreSQL), in id order (lockorder.go): one deleted meanwhile (its
// shop's erase, its erasure) is waited for and left out, where the
// conversion's key then failed the order as a violation once the delete
// committed. A delete begun after waits for the order's commit and
// deletes its conversions too.
func findNotices(ctx context.Context, tx *Tx, order stockbell.Order, variantIDs map[string]int64, window time.Duration) ([]stockbell.Notice, map[int64]string, error) {
	args := []any{order.ShopID}
	var contacts []string
	if order.Email != "" {
		contacts = append(contacts, "(s.email = ? AND s.email <> '')")
		args = append(args, order.Email)
	}
	if order.Phone != "" {
		contacts = append(contacts, "(s.phone = ? AND s.phone <> '')")
		args = append(args, order.Phone)
	}
	variants := make([]any, 0, len(variantIDs))
	for _, id := range variantIDs {
		variants = append(variants, id)
	}
	args = append(args, variants...)
	args = append(args, stockbell.MessageSent, order.CreatedAt.Add(-2*window).UTC(), order.CreatedAt.UTC())
	var rows []noticeRow
	err := tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT s.id AS subscription_id, s.variant_id, s.email, s.phone,
			m.id AS message_id, m.sent_at, m.channel
		FROM subscriptions s JOIN messages m ON m.subscription_id = s.id
		WHERE s.shop_id = ? AND (`+strings.Join(contacts, " OR ")+`) AND s.variant_id IN (`+placeholders(len(variants))+`)
			AND m.id = (SELECT MIN(first.id) FROM messages first WHERE first.subscription_id = s.id AND first.status = ?)
			AND m.sent_at >= ? AND m.sent_at <= ?
			AND NOT EXISTS (SELECT 1 FROM conversions c WHERE c.subscription_id = s.id)
		ORDER BY s.id`+tx.forKeyShareOf("s")), args...)
	if err != nil || len(rows) == 0 {
		return nil, nil, err
	}
	channels := make(map[int64]string, len(rows))
	for _, r := range rows {
		channels[r.MessageID] = r.Channel
	}
	notices, err := withClicks(ctx, tx, rows)
	return notices, channels, err
}

// withClicks turns notice rows into notices with the clicks on each
// subscriber's messages.
func withClicks(ctx context.Context, tx *Tx, rows []noticeRow) ([]stockbell.Notice, error) {
	ids := make([]any, len(rows))
	for i, r := range rows {
		ids[i] = r.SubscriptionID
	}
	var clicks []struct {
		SubscriptionID int64     `db:"subscription_id"`
		ClickedAt      time.Time `db:"clicked_at"`
	}
	err := tx.SelectContext(ctx, &clicks, tx.Rebind(`SELECT m.subscription_id, c.clicked_at FROM message_clicks c
		JOIN messages m ON m.id = c.message_id WHERE m.subscription_id IN (`+placeholders(len(ids))+`)`), ids...)
	if err != nil {
		return nil, err
	}
	bySub := map[int64][]time.Time{}
	for _, c := range clicks {
		bySub[c.SubscriptionID] = append(bySub[c.SubscriptionID], c.ClickedAt)
	}
	notices := make([]stockbell.Notice, len(rows))
	for i, r := range rows {
		notices[i] = stockbell.Notice{SubscriptionID: r.SubscriptionID, VariantID: r.VariantID, MessageID: r.MessageID,
			Email: r.Email, Phone: r.Phone, SentAt: r.SentAt, Clicks: bySub[r.SubscriptionID]}
	}
	return notices, nil
}

// insertConversion records one conversion and its event, unless the
// subscription or the order's variant already converted. channel is the
// alert's, as the notified event has it, so that a report filtered by
// channel counts the conversion where it counted the alert.
func insertConversion(ctx context.Context, tx *Tx, c stockbell.Conversion, channel string) error {
	now := tx.db.now()
	id, err := tx.insertID(ctx, `INSERT INTO conversions (shop_id, subscription_id, variant_id, message_id, order_id,
		quantity, revenue, currency, via, notified_at, ordered_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.ShopID, c.SubscriptionID, c.VariantID, c.MessageID, c.OrderID, c.Quantity, int64(c.Revenue), c.Currency,
		c.Via, c.NotifiedAt.UTC(), c.OrderedAt.UTC(), now)
	if isNoRows(err) {
		return nil // recorded before: a retried webhook, or a concurrent receipt of it
	} else if err != nil {
		return err
	}
	e := stockbell.Event{ShopID: c.ShopID, Kind: stockbell.EventConverted, VariantID: &c.VariantID, SubscriptionID: &c.SubscriptionID}
	return tx.insertEvent(ctx, e, EventDetail{"conversion_id": id, "order_id": c.OrderID, "quantity": c.Quantity,
		"revenue": c.Revenue.String(), "currency": c.Currency, "via": c.Via, "message_id": c.MessageID, "channel": channel})
}
