package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.ActivityService = (*DB)(nil)

// maxActivityDays bounds the range DailyActivity counts over.
const maxActivityDays = 366

// dayCount is one (day, series) count of a GROUP BY.
type dayCount struct {
	Day    string `db:"day"`
	Series string `db:"series"`
	Count  int    `db:"n"`
}

// DailyActivity counts subscriptions, notifications (not those of
// shoppers queued again after a skipped alert), clicks, restocks and
// batches per UTC day, in one read.
func (db *DB) DailyActivity(ctx context.Context, shopID int64, since, until time.Time) ([]stockbell.ActivityDay, error) {
	first, last := utcDay(since), utcDay(until)
	if last.Before(first) || last.Sub(first) > maxActivityDays*24*time.Hour {
		return nil, stockbell.FieldErrorf("until", "An activity range runs forward over at most %d days.", maxActivityDays)
	}
	var counts []dayCount
	err := db.inReadTx(ctx, func(tx *Tx) error {
		end := last.Add(24 * time.Hour)
		events := `SELECT ` + tx.dayOf("e.created_at") + ` AS day, e.kind AS series, COUNT(*) AS n FROM events e
			WHERE e.shop_id = ? AND e.created_at >= ? AND e.created_at < ? AND e.kind IN (?, ?, ?)
			AND (e.kind <> 'notified' OR ` + tx.notRequeued("e") + `)
			GROUP BY ` + tx.dayOf("e.created_at") + `, e.kind`
		err := tx.SelectContext(ctx, &counts, tx.Rebind(events), shopID, first, end,
			stockbell.EventSubscribed, stockbell.EventNotified, stockbell.EventBatchStarted)
		if err != nil {
			return err
		}
		more, err := countRestocksAndClicks(ctx, tx, shopID, first, end)
		counts = append(counts, more...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return spreadDays(first, last, counts), nil
}

// countRestocksAndClicks counts stock changes that brought a variant back
// from sold out, and clicks, per day.
func countRestocksAndClicks(ctx context.Context, tx *Tx, shopID int64, first, end time.Time) ([]dayCount, error) {
	var counts []dayCount
	restocks := `SELECT ` + tx.dayOf("created_at") + ` AS day, 'restock' AS series, COUNT(*) AS n FROM events
		WHERE shop_id = ? AND created_at >= ? AND created_at < ? AND kind = ?
		AND ` + tx.jsonInt("detail", "old_stock") + ` <= 0 AND ` + tx.jsonInt("detail", "new_stock") + ` > 0
		GROUP BY ` + tx.dayOf("created_at")
	if err := tx.SelectContext(ctx, &counts, tx.Rebind(restocks), shopID, first, end, stockbell.EventStockChanged); err != nil {
		return nil, err
	}
	var clicks []dayCount
	query := `SELECT ` + tx.dayOf("clicked_at") + ` AS day, 'click' AS series, COUNT(*) AS n FROM message_clicks
		WHERE shop_id = ? AND clicked_at >= ? AND clicked_at < ? GROUP BY ` + tx.dayOf("clicked_at")
	err := tx.SelectContext(ctx, &clicks, tx.Rebind(query), shopID, first, end)
	return append(counts, clicks...), err
}

// spreadDays lays the counts out as one entry per day.
func spreadDays(first, last time.Time, counts []dayCount) []stockbell.ActivityDay {
	days := make([]stockbell.ActivityDay, 0, int(last.Sub(first)/(24*time.Hour))+1)
	index := map[string]int{}
	for d := first; !d.After(last); d = d.Add(24 * time.Hour) {
		index[d.Format(time.DateOnly)] = len(days)
		days = append(days, stockbell.ActivityDay{Day: d})
	}
	for _, c := range counts {
		i, ok := index[c.Day]
		if !ok {
			continue
		}
		switch c.Series {
		case string(stockbell.EventSubscribed):
			days[i].Subscribed += c.Count
		case string(stockbell.EventNotified):
			days[i].Notified += c.Count
		case string(stockbell.EventBatchStarted):
			days[i].Batches += c.Count
		case "restock":
			days[i].Restocks += c.Count
		case "click":
			days[i].Clicked += c.Count
		}
	}
	return days
}

// utcDay returns midnight UTC of t's UTC day.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dayOf is the SQL for a timestamp column's UTC day as YYYY-MM-DD text.
// SQLite keeps times as text beginning with the UTC date (the store writes
// UTC); PostgreSQL converts.
func (tx *Tx) dayOf(column string) string {
	if tx.db.Dialect == Postgres {
		return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "substr(" + column + ", 1, 10)"
}

// notRequeued is the SQL condition that the notified (or held) event e
// stands: its alert was not skipped afterwards with its shopper queued
// again (requeueSubscriber), who was told nothing and counts as not
// notified at that batch. The skipped event names the alert and says
// requeued.
func (tx *Tx) notRequeued(e string) string {
	requeued := "json_extract(r.detail, '$.requeued') IS NOT NULL"
	if tx.db.Dialect == Postgres {
		requeued = "(r.detail::json ->> 'requeued') IS NOT NULL"
	}
	return `NOT EXISTS (SELECT 1 FROM events r WHERE r.subscription_id = ` + e + `.subscription_id AND r.kind = 'skipped'
		AND r.id > ` + e + `.id AND ` + requeued + ` AND ` + tx.jsonInt("r.detail", "message_id") + ` = ` + tx.jsonInt(e+".detail", "message_id") + `)`
}

// jsonInt is the SQL reading an integer member of a JSON text column.
func (tx *Tx) jsonInt(column, key string) string { return jsonInt(tx.db.Dialect, column, key) }

// jsonInt is the dialect's SQL reading an integer member of a JSON text
// column. An index on the expression (events_batch_decided) is written
// with the same text, so that each database matches it to the queries.
func jsonInt(d Dialect, column, key string) string {
	if d == Postgres {
		return "CAST((" + column + "::json ->> '" + key + "') AS BIGINT)"
	}
	return "CAST(json_extract(" + column + ", '$." + key + "') AS INTEGER)"
}

// jsonText is the dialect's SQL reading a text member of a JSON text
// column.
func jsonText(d Dialect, column, key string) string {
	if d == Postgres {
		return "(" + column + "::json ->> '" + key + "')"
	}
	return "json_extract(" + column + ", '$." + key + "')"
}
