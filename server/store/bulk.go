package store

import (
	"time"
)

// The many-row inserts of a restock chunk (a thousand messages, a thousand
// events) are one statement on both databases. On SQLite it is a VALUES
// list. On PostgreSQL each column goes in as one array, unnested: the
// statement's text is the same whatever the number of rows, so the driver
// sends a handful of parameters instead of rows × columns, PostgreSQL
// parses and plans a short statement instead of a VALUES list of
// thousands of parameters, and the connection's prepared statement serves
// every batch. The arrays are Go slices, which pgx's driver sends in
// PostgreSQL's binary format (lib/pq's pq.Array would be formatted as
// text, then parsed again by pgx: five times the allocations).

// messageInsert returns the statement inserting the drafts, created at
// now, that returns each row's id and subscription id.
func messageInsert(tx *Tx, drafts []messageDraft, now time.Time) (string, []any) {
	if tx.db.Dialect == Postgres {
		return messageArrays(drafts, now)
	}
	args := make([]any, 0, len(drafts)*10)
	for _, d := range drafts {
		args = append(args, d.ShopID, d.SubscriptionID, d.Step, d.Channel, d.Recipient, d.Status, d.Error, d.DueAt, now, 0)
	}
	return tx.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient,
		status, error, due_at, created_at, attempts) VALUES ` + valueRows(len(drafts), 10) + ` RETURNING id, subscription_id`), args
}

func messageArrays(drafts []messageDraft, now time.Time) (string, []any) {
	n := len(drafts)
	shops, subs, steps := make([]int64, n), make([]int64, n), make([]int64, n)
	channels, recipients, statuses, errs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	due := make([]time.Time, n)
	for i, d := range drafts {
		shops[i], subs[i], steps[i] = d.ShopID, d.SubscriptionID, int64(d.Step)
		channels[i], recipients[i], statuses[i], errs[i] = string(d.Channel), d.Recipient, string(d.Status), d.Error
		due[i] = d.DueAt.UTC()
	}
	return `INSERT INTO messages (shop_id, subscription_id, step, channel, recipient, status, error, due_at, created_at, attempts)
		SELECT shop_id, subscription_id, step, channel, recipient, status, error, due_at, $9, 0
		FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
			AS d (shop_id, subscription_id, step, channel, recipient, status, error, due_at)
		RETURNING id, subscription_id`,
		[]any{shops, subs, steps, channels, recipients, statuses, errs, due, now}
}

// eventInsert returns the statement inserting the events with their
// encoded details, all at the same time.
func eventInsert(tx *Tx, events []eventRow, details []string, at time.Time) (string, []any) {
	n := len(events)
	if tx.db.Dialect != Postgres {
		args := make([]any, 0, n*6)
		for i, e := range events {
			args = append(args, e.ShopID, e.Kind, e.VariantID, e.SubscriptionID, details[i], at)
		}
		return tx.Rebind(`INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
			VALUES ` + valueRows(n, 6)), args
	}
	shops, variants, subs, kinds := make([]int64, n), make([]int64, n), make([]int64, n), make([]string, n)
	for i, e := range events {
		shops[i], variants[i], subs[i], kinds[i] = e.ShopID, e.VariantID, e.SubscriptionID, string(e.Kind)
	}
	return `INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
		SELECT shop_id, kind, variant_id, subscription_id, detail, $6
		FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]) AS e (shop_id, kind, variant_id, subscription_id, detail)`,
		[]any{shops, kinds, variants, subs, details, at}
}
