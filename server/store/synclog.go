package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.SyncLogService = (*DB)(nil)

// RecordSync writes a sync's report to the shop's activity log in one
// transaction: its logged rejections first, then the summary, so that the
// log read newest first shows a sync's summary above its rejections. A
// failure that repeats the source's latest one updates its entry instead
// (repeatFailure). A Quiet success whose source is not failing writes
// nothing, and is found out by a read alone. Returns EINVALID without a shop or source, ENOTFOUND
// for an unknown shop.
func (db *DB) RecordSync(ctx context.Context, report stockbell.SyncReport) error {
	if report.ShopID == 0 {
		return stockbell.FieldErrorf("shop_id", "sync report names no shop")
	}
	if strings.TrimSpace(report.Source) == "" {
		return stockbell.FieldErrorf("source", "sync report names no source")
	}
	if report.Quiet && !report.Failed() {
		if failing, err := db.quietSourceFailing(ctx, report); !failing || err != nil {
			return err
		}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := holdShop(ctx, tx, report.ShopID); err != nil {
			return err
		}
		if repeated, err := repeatFailure(ctx, tx, report); repeated || err != nil {
			return err
		}
		if report.Quiet && !report.Failed() { // checked again: it may have ended since
			if failing, err := sourceFailing(ctx, tx, report); !failing || err != nil {
				return err
			}
		}
		return recordSync(ctx, tx, report)
	})
}

func recordSync(ctx context.Context, tx *Tx, r stockbell.SyncReport) error {
	logged := min(len(r.Rejections), stockbell.MaxSyncRejectionsLogged)
	for _, rej := range r.Rejections[:logged] {
		detail := EventDetail{"source": r.Source, "position": rej.Position, "id": rej.ID, "reason": rej.Reason}
		if err := tx.insertEvent(ctx, stockbell.Event{ShopID: r.ShopID, Kind: stockbell.EventSyncItemRejected}, detail); err != nil {
			return err
		}
	}
	kind := stockbell.EventSyncFinished
	if r.Failed() {
		kind = stockbell.EventSyncFailed
	}
	id, err := tx.insertEventID(ctx, stockbell.Event{ShopID: r.ShopID, Kind: kind}, summaryDetail(r, logged))
	if err != nil {
		return err
	}
	return rememberFailure(ctx, tx, r, id)
}

// summaryDetail is the detail of a sync's summary event.
func summaryDetail(r stockbell.SyncReport, logged int) EventDetail {
	detail := EventDetail{"source": r.Source, "rejected": r.RejectedCount(), "rejections_logged": logged}
	if !r.StartedAt.IsZero() {
		detail["started_at"] = r.StartedAt.UTC()
		if !r.FinishedAt.IsZero() {
			detail["duration_ms"] = r.FinishedAt.Sub(r.StartedAt).Milliseconds()
		}
	}
	if r.Failed() {
		detail["reason"] = r.Failure
	} else {
		detail["items"], detail["changed"], detail["unpublished"] = r.Items, r.Changed, r.Unpublished
		detail["not_modified"] = r.NotModified
		if r.Stored > 0 {
			detail["stored"] = r.Stored
		}
		if r.Notice != "" {
			detail["notice"] = r.Notice
		}
	}
	return detail
}

// repeatable reports whether a report may stand as a repeat of an
// earlier entry: a failure without rejections, which would need a summary
// of their own above them.
func repeatable(r stockbell.SyncReport) bool {
	return r.Failed() && r.RejectedCount() == 0
}

// rememberFailure keeps, per shop and source, the entry of the source's
// latest failure (sync_failures): the entry a next run may repeat, and
// what FindFailingSyncs shows while it lasts. A success of the source
// forgets it.
func rememberFailure(ctx context.Context, tx *Tx, r stockbell.SyncReport, eventID int64) error {
	if !r.Failed() {
		_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM sync_failures WHERE shop_id = ? AND source = ?`), r.ShopID, r.Source)
		return err
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO sync_failures (shop_id, source, event_id) VALUES (?, ?, ?)
		ON CONFLICT (shop_id, source) DO UPDATE SET event_id = excluded.event_id`), r.ShopID, r.Source, eventID)
	return err
}

// endFailure records, in a write transaction, the Quiet success r of a
// source, as RecordSync does: when the source is failing, the success
// ends its failure; otherwise nothing is written. Forgetting the failure
// is the check, so a write that carries r (ProductUpsert.Recovered) adds
// one DELETE that finds nothing in the common case, and no read.
func endFailure(ctx context.Context, tx *Tx, r stockbell.SyncReport) error {
	res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM sync_failures WHERE shop_id = ? AND source = ?`), r.ShopID, r.Source)
	if err != nil {
		return err
	}
	if ended, err := res.RowsAffected(); ended == 0 || err != nil {
		return err
	}
	return recordSync(ctx, tx, r)
}

// quietSourceFailing reports whether the source of a quiet success is
// failing, so that the success has a failure to end; ENOTFOUND for an
// unknown shop. It only reads: a periodic run calls RecordSync after
// every success, and almost always finds nothing to end, so the common
// case takes no write transaction (on SQLite, the single writer's lock).
func (db *DB) quietSourceFailing(ctx context.Context, r stockbell.SyncReport) (failing bool, err error) {
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if err := shopExists(ctx, tx, r.ShopID); err != nil {
			return err
		}
		failing, err = sourceFailing(ctx, tx, r)
		return err
	})
	return failing, err
}

// sourceFailing reports whether the source's latest entry is a failure.
func sourceFailing(ctx context.Context, tx *Tx, r stockbell.SyncReport) (bool, error) {
	var n int
	err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM sync_failures WHERE shop_id = ? AND source = ?`), r.ShopID, r.Source)
	return n > 0, err
}

// repeatFailure records a failure that repeats the source's latest entry
// (the same reason, nothing else recorded from the source since, no
// rejections under either, which need a summary of their own) on that
// entry rather than as a new one, so that a refusal met on every run
// (a scope not granted, every 15 minutes) is one line: the entry moves to
// the repeat's time, and its detail counts the failures and keeps when
// the first was (failures, first_failed_at). It reports whether it did.
func repeatFailure(ctx context.Context, tx *Tx, r stockbell.SyncReport) (bool, error) {
	if !repeatable(r) {
		return false, nil
	}
	var last stockbell.Event
	err := tx.GetContext(ctx, &last, tx.Rebind(`SELECT e.id, e.detail, e.created_at FROM sync_failures f
		JOIN events e ON e.id = f.event_id WHERE f.shop_id = ? AND f.source = ?`+tx.forUpdate()), r.ShopID, r.Source)
	if isNoRows(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	var earlier struct {
		Reason        string    `json:"reason"`
		Rejected      int       `json:"rejected"`
		Failures      int       `json:"failures"`
		FirstFailedAt time.Time `json:"first_failed_at"`
	}
	if err := json.Unmarshal([]byte(last.Detail), &earlier); err != nil || earlier.Reason != r.Failure || earlier.Rejected > 0 {
		return false, err
	}
	detail := summaryDetail(r, 0)
	detail["failures"], detail["first_failed_at"] = max(earlier.Failures, 1)+1, last.CreatedAt.UTC()
	if !earlier.FirstFailedAt.IsZero() {
		detail["first_failed_at"] = earlier.FirstFailedAt.UTC()
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE events SET detail = ?, created_at = ? WHERE id = ?`), string(raw), tx.db.now(), last.ID)
	return err == nil, err
}

// FindSyncLog returns the shop's sync events newest first (ties by id, so
// a sync's summary comes before its rejections) and their total count.
// Returns EINVALID for a kind that is not a sync event.
func (db *DB) FindSyncLog(ctx context.Context, filter stockbell.SyncLogFilter) ([]*stockbell.Event, int, error) {
	var w where
	w.add("shop_id = ?", filter.ShopID)
	if filter.Kind != nil {
		if !slices.Contains(stockbell.SyncEventKinds, *filter.Kind) {
			return nil, 0, stockbell.FieldErrorf("kind", "%q is not a sync log event", *filter.Kind)
		}
		w.add("kind = ?", *filter.Kind)
	} else {
		kinds := make([]any, len(stockbell.SyncEventKinds))
		for i, kind := range stockbell.SyncEventKinds {
			kinds[i] = kind
		}
		w.add("kind IN ("+placeholders(len(kinds))+")", kinds...)
	}
	events := []*stockbell.Event{}
	var total int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT COUNT(*) FROM events`+w.String()), w.args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &events, tx.Rebind(`SELECT `+eventColumns+` FROM events`+w.String()+
			` ORDER BY created_at DESC, id DESC`+page(filter.Offset, filter.Limit)), w.args...)
	})
	return events, total, err
}

// FindFailingSyncs returns, for each of the shop's sources whose latest
// sync log entry is a failure, that entry, newest first. It reads the
// entries sync_failures keeps, so it costs one indexed read however long
// the log is.
func (db *DB) FindFailingSyncs(ctx context.Context, shopID int64) ([]*stockbell.Event, error) {
	events := []*stockbell.Event{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &events, tx.Rebind(`SELECT e.id, e.shop_id, e.kind, e.variant_id, e.subscription_id, e.detail, e.created_at
			FROM sync_failures f JOIN events e ON e.id = f.event_id
			WHERE f.shop_id = ? AND e.shop_id = f.shop_id ORDER BY e.created_at DESC, e.id DESC`), shopID)
	})
	return events, err
}

// SyncFinishedSince reports whether the shop's sync log has a sync_finished
// entry from source recorded after since and not after now: an entry dated
// in the future was recorded while the clock ran ahead, and taken for a
// recent sync it would pass the store over until the clock caught up. It
// reads the shop's events from since on (events_shop), not its whole log.
func (db *DB) SyncFinishedSince(ctx context.Context, shopID int64, source string, since time.Time) (bool, error) {
	var n int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM events WHERE shop_id = ? AND created_at > ? AND created_at <= ?
			AND kind = ? AND `+jsonText(tx.db.Dialect, "detail", "source")+` = ?`),
			shopID, since.UTC(), tx.db.now(), stockbell.EventSyncFinished, source)
	})
	return n > 0, err
}
