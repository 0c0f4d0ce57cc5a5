package store

import (
	"context"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.SyncLogService = (*DB)(nil)

// RecordSync writes a sync's report to the shop's activity log in one
// transaction: its logged rejections first, then the summary, so that the
// log read newest first shows a sync's summary above its rejections.
// Returns EINVALID without a shop or source, ENOTFOUND for an unknown shop.
func (db *DB) RecordSync(ctx context.Context, report stockbell.SyncReport) error {
	if report.ShopID == 0 {
		return stockbell.FieldErrorf("shop_id", "sync report names no shop")
	}
	if strings.TrimSpace(report.Source) == "" {
		return stockbell.FieldErrorf("source", "sync report names no source")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := shopExists(ctx, tx, report.ShopID); err != nil {
			return err
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
	detail := EventDetail{"source": r.Source, "rejected": r.RejectedCount(), "rejections_logged": logged}
	if !r.StartedAt.IsZero() {
		detail["started_at"] = r.StartedAt.UTC()
		if !r.FinishedAt.IsZero() {
			detail["duration_ms"] = r.FinishedAt.Sub(r.StartedAt).Milliseconds()
		}
	}
	kind := stockbell.EventSyncFinished
	if r.Failed() {
		kind, detail["reason"] = stockbell.EventSyncFailed, r.Failure
	} else {
		detail["items"], detail["changed"], detail["unpublished"] = r.Items, r.Changed, r.Unpublished
		detail["not_modified"] = r.NotModified
	}
	return tx.insertEvent(ctx, stockbell.Event{ShopID: r.ShopID, Kind: kind}, detail)
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
		k := stockbell.SyncEventKinds
		w.add("kind IN (?, ?, ?)", k[0], k[1], k[2])
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
