package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.ReportStore = (*DB)(nil)

// activityRow is one row of the activity query: an event, or a click.
type activityRow struct {
	ID             int64   `db:"id"`
	Kind           string  `db:"kind"`
	At             sqlTime `db:"at"`
	VariantID      int64   `db:"variant_id"`
	ProductID      int64   `db:"product_id"`
	Product        string  `db:"product"`
	Variant        string  `db:"variant"`
	SKU            string  `db:"sku"`
	SubscriptionID int64   `db:"subscription_id"`
	Email          string  `db:"email"`
	Phone          string  `db:"phone"`
	Channels       string  `db:"channels"`
	Detail         string  `db:"detail"`
	// Source is 0 for an event, 1 for a click: ids of the two tables do
	// not compare, so at one instant events come first.
	Source int `db:"source"`
}

// activityDetail is what reports read from an event's JSON detail.
type activityDetail struct {
	Channel  string          `json:"channel"`
	Reason   string          `json:"reason"`
	Size     json.RawMessage `json:"size"`
	OrderID  string          `json:"order_id"`
	Quantity int             `json:"quantity"`
	Revenue  string          `json:"revenue"`
	Currency string          `json:"currency"`
}

// storedEventKinds are the reported kinds kept in the events table.
func storedEventKinds() []any {
	var kinds []any
	for _, k := range stockbell.ReportedEventKinds {
		if k != stockbell.EventClicked {
			kinds = append(kinds, string(k))
		}
	}
	return kinds
}

// activityQuery is the events of the report's kinds and the clicks on
// messages, filtered alike, oldest first; records at one instant come in
// the order they were recorded (an event's id, a restock before the batch
// it started), a click after the events of its instant (the message it
// clicked was sent before it). A notified event whose shopper
// was queued again after a skipped alert is left out (notRequeued).
func activityQuery(tx *Tx, f stockbell.ActivityFilter) (string, []any) {
	kinds := storedEventKinds()
	events := where{}
	events.add("e.shop_id = ? AND e.created_at >= ? AND e.created_at < ?", f.ShopID, f.Since.UTC(), f.Until.UTC())
	events.add("e.kind IN ("+placeholders(len(kinds))+")", kinds...)
	events.add("(e.kind <> 'notified' OR " + tx.notRequeued("e") + ")")
	clicks := where{}
	clicks.add("c.shop_id = ? AND c.clicked_at >= ? AND c.clicked_at < ?", f.ShopID, f.Since.UTC(), f.Until.UTC())
	if f.VariantID != 0 {
		events.add("e.variant_id = ?", f.VariantID)
		clicks.add("s.variant_id = ?", f.VariantID)
	}
	if f.ProductID != 0 {
		events.add("v.product_id = ?", f.ProductID)
		clicks.add("v.product_id = ?", f.ProductID)
	}
	if f.Channel != "" {
		events.add("(e.subscription_id IS NULL OR (',' || s.channels || ',') LIKE ?)", "%,"+string(f.Channel)+",%")
		clicks.add("m.channel = ?", f.Channel)
	}
	query := `SELECT e.id AS id, e.kind AS kind, e.created_at AS at, COALESCE(e.variant_id, 0) AS variant_id, COALESCE(v.product_id, 0) AS product_id,
			COALESCE(p.title, '') AS product, COALESCE(v.title, '') AS variant, COALESCE(v.sku, '') AS sku,
			COALESCE(e.subscription_id, 0) AS subscription_id, COALESCE(s.email, '') AS email, COALESCE(s.phone, '') AS phone,
			COALESCE(s.channels, '') AS channels, e.detail, 0 AS source
		FROM events e LEFT JOIN variants v ON v.id = e.variant_id LEFT JOIN products p ON p.id = v.product_id
			LEFT JOIN subscriptions s ON s.id = e.subscription_id` + events.String() + `
		UNION ALL
		SELECT c.id, 'clicked', c.clicked_at, s.variant_id, v.product_id, p.title, v.title, v.sku, s.id, s.email, s.phone,
			m.channel, '{}', 1
		FROM message_clicks c JOIN messages m ON m.id = c.message_id JOIN subscriptions s ON s.id = m.subscription_id
			JOIN variants v ON v.id = s.variant_id JOIN products p ON p.id = v.product_id` + clicks.String() + `
		ORDER BY at, source, id`
	return query, append(events.args, clicks.args...)
}

// EachActivity streams the shop's activity records; see stockbell.ReportStore.
func (db *DB) EachActivity(ctx context.Context, filter stockbell.ActivityFilter, fn func(*stockbell.ActivityRecord) error) error {
	return db.inReadTx(ctx, func(tx *Tx) error {
		query, args := activityQuery(tx, filter)
		rows, err := tx.QueryxContext(ctx, tx.Rebind(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var row activityRow
		for rows.Next() {
			if err := rows.StructScan(&row); err != nil {
				return err
			}
			record, ok := row.record(filter.Channel)
			if !ok {
				continue
			}
			if err := fn(record); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// record turns a row into a report record; ok is false when its message's
// channel is not the one the filter asks for.
func (r *activityRow) record(channel stockbell.Channel) (*stockbell.ActivityRecord, bool) {
	rec := &stockbell.ActivityRecord{ID: r.ID, At: r.At.Time.UTC(), Kind: stockbell.EventKind(r.Kind), VariantID: r.VariantID,
		ProductID: r.ProductID, Product: r.Product, Variant: r.Variant, SKU: r.SKU, SubscriptionID: r.SubscriptionID,
		Channel: strings.ReplaceAll(r.Channels, ",", " ")}
	var d activityDetail
	_ = json.Unmarshal([]byte(r.Detail), &d) // details are written by the store; a bad one reports without them
	if d.Channel != "" {
		rec.Channel = d.Channel
	}
	rec.Contact = r.contact(rec.Channel)
	if channel != "" && d.Channel != "" && d.Channel != string(channel) {
		return nil, false
	}
	rec.Reason, rec.OrderID, rec.Quantity, rec.Currency = d.Reason, d.OrderID, d.Quantity, d.Currency
	rec.Revenue, _ = stockbell.ParseAmount(d.Revenue)
	if string(d.Size) == `"everyone"` {
		rec.Everyone = true
	} else {
		_ = json.Unmarshal(d.Size, &rec.BatchSize)
	}
	return rec, true
}

// contact is the subscriber's address on the record's channel: the phone
// a text reached, else the email address, else the phone.
func (r *activityRow) contact(channel string) string {
	if channel == string(stockbell.ChannelSMS) && r.Phone != "" || r.Email == "" {
		return r.Phone
	}
	return r.Email
}

// queuedRow is one queued subscriber with their variant.
type queuedRow struct {
	SubscriptionID int64              `db:"id"`
	VariantID      int64              `db:"variant_id"`
	ProductID      int64              `db:"product_id"`
	Product        string             `db:"product"`
	Variant        string             `db:"variant"`
	SKU            string             `db:"sku"`
	Email          string             `db:"email"`
	Phone          string             `db:"phone"`
	Channels       stockbell.Channels `db:"channels"`
	SubscribedAt   sqlTime            `db:"created_at"`
}

// EachQueuedSubscriber streams the shop's queued subscribers by variant and
// place in its queue (the restock engine's order: oldest first, ties by id).
func (db *DB) EachQueuedSubscriber(ctx context.Context, shopID int64, fn func(*stockbell.QueuedSubscriber) error) error {
	return db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryxContext(ctx, tx.Rebind(`SELECT s.id, s.variant_id, v.product_id, p.title AS product, v.title AS variant,
				v.sku, s.email, s.phone, s.channels, s.created_at
			FROM subscriptions s JOIN variants v ON v.id = s.variant_id JOIN products p ON p.id = v.product_id
			WHERE s.shop_id = ? AND s.status = ? ORDER BY s.variant_id, s.created_at, s.id`), shopID, stockbell.SubscriptionQueued)
		if err != nil {
			return err
		}
		defer rows.Close()
		var row queuedRow
		var out stockbell.QueuedSubscriber
		for rows.Next() {
			if err := rows.StructScan(&row); err != nil {
				return err
			}
			position := 1
			if out.VariantID == row.VariantID {
				position = out.Position + 1
			}
			out = stockbell.QueuedSubscriber{SubscriptionID: row.SubscriptionID, VariantID: row.VariantID, ProductID: row.ProductID,
				Product: row.Product, Variant: row.Variant, SKU: row.SKU, Email: row.Email, Phone: row.Phone,
				Channels: row.Channels, SubscribedAt: row.SubscribedAt.Time.UTC(), Position: position}
			if err := fn(&out); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// notifiedConverted is the SQL counting the subscribers notified in the
// filter's range and those of them that converted, narrowed to its
// variant, product and the channel of the alert (the subscriber's first
// message, whose channel the notified event records). A shopper queued
// again after their alert was skipped is not counted at that batch.
func notifiedConverted(tx *Tx, f stockbell.ActivityFilter) (string, []any) {
	w := where{}
	w.add("e.shop_id = ? AND e.kind = ? AND e.created_at >= ? AND e.created_at < ?", f.ShopID, stockbell.EventNotified, f.Since.UTC(), f.Until.UTC())
	w.add(tx.notRequeued("e"))
	if f.VariantID != 0 {
		w.add("e.variant_id = ?", f.VariantID)
	}
	if f.ProductID != 0 {
		w.add("e.variant_id IN (SELECT id FROM variants WHERE shop_id = ? AND product_id = ?)", f.ShopID, f.ProductID)
	}
	if f.Channel != "" {
		w.add("EXISTS (SELECT 1 FROM messages m WHERE m.subscription_id = e.subscription_id AND m.step = 1 AND m.channel = ?)", string(f.Channel))
	}
	return `COUNT(DISTINCT e.subscription_id) AS notified, COUNT(DISTINCT c.id) AS converted
		FROM events e LEFT JOIN conversions c ON c.subscription_id = e.subscription_id` + w.String(), w.args
}

// FindVariantOutcomes counts notified and converted subscribers per variant.
func (db *DB) FindVariantOutcomes(ctx context.Context, shopID int64, variantIDs []int64, since, until time.Time) ([]stockbell.VariantOutcome, error) {
	out := []stockbell.VariantOutcome{}
	if len(variantIDs) == 0 {
		return out, nil
	}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		counts, args := notifiedConverted(tx, stockbell.ActivityFilter{ShopID: shopID, Since: since, Until: until})
		query, args, err := sqlx.In(`SELECT e.variant_id, `+counts+` AND e.variant_id IN (?) GROUP BY e.variant_id ORDER BY e.variant_id`,
			append(args, variantIDs)...)
		if err != nil {
			return err
		}
		rows, err := tx.QueryxContext(ctx, tx.Rebind(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o stockbell.VariantOutcome
			if err := rows.Scan(&o.VariantID, &o.Notified, &o.Converted); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// CountNotifiedConverted counts the notified and converted subscribers the
// filter selects.
func (db *DB) CountNotifiedConverted(ctx context.Context, filter stockbell.ActivityFilter) (notified, converted int, err error) {
	err = db.inReadTx(ctx, func(tx *Tx) error {
		counts, args := notifiedConverted(tx, filter)
		return tx.QueryRowxContext(ctx, tx.Rebind(`SELECT `+counts), args...).Scan(&notified, &converted)
	})
	return notified, converted, err
}

// FindConversionTotals sums the conversions the filter selects per variant
// and currency, the currency's code in capitals: a conversion stored
// before orders' currencies were normalised ("eur") counts with those
// stored since ("EUR").
func (db *DB) FindConversionTotals(ctx context.Context, filter stockbell.ActivityFilter) ([]stockbell.ConversionTotal, error) {
	w := where{}
	w.add("c.shop_id = ? AND c.ordered_at >= ? AND c.ordered_at < ?", filter.ShopID, filter.Since.UTC(), filter.Until.UTC())
	if filter.VariantID != 0 {
		w.add("c.variant_id = ?", filter.VariantID)
	}
	if filter.ProductID != 0 {
		w.add("v.product_id = ?", filter.ProductID)
	}
	if filter.Channel != "" {
		w.add("EXISTS (SELECT 1 FROM messages m WHERE m.id = c.message_id AND m.channel = ?)", string(filter.Channel))
	}
	out := []stockbell.ConversionTotal{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &out, tx.Rebind(`SELECT c.variant_id, p.title AS product, v.title AS variant, v.sku,
				UPPER(TRIM(c.currency)) AS currency, COUNT(*) AS conversions, SUM(c.quantity) AS quantity, SUM(c.revenue) AS revenue
			FROM conversions c JOIN variants v ON v.id = c.variant_id JOIN products p ON p.id = v.product_id`+w.String()+`
			GROUP BY c.variant_id, p.title, v.title, v.sku, UPPER(TRIM(c.currency)) ORDER BY revenue DESC, c.variant_id, currency`), w.args...)
	})
	return out, err
}
