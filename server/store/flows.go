package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.FlowService = (*DB)(nil)

// flowRow is a flows row; steps are stored as a JSON array.
type flowRow struct {
	ShopID    int64     `db:"shop_id"`
	Status    string    `db:"status"`
	Template  string    `db:"template"`
	Steps     string    `db:"steps"`
	UpdatedAt time.Time `db:"updated_at"`
}

// FindFlow returns the shop's flow, or the default template's when it never
// stored one. Returns ENOTFOUND for an unknown shop.
func (db *DB) FindFlow(ctx context.Context, shopID int64) (*stockbell.Flow, error) {
	var flow *stockbell.Flow
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		flow, err = findFlow(ctx, tx, shopID)
		return err
	})
	return flow, err
}

func findFlow(ctx context.Context, tx *Tx, shopID int64) (*stockbell.Flow, error) {
	var row flowRow
	err := tx.GetContext(ctx, &row, tx.Rebind(`SELECT shop_id, status, template, steps, updated_at FROM flows WHERE shop_id = ?`), shopID)
	if isNoRows(err) {
		if err := shopExists(ctx, tx, shopID); err != nil {
			return nil, err
		}
		return stockbell.DefaultFlow(shopID), nil
	} else if err != nil {
		return nil, err
	}
	flow := &stockbell.Flow{ShopID: row.ShopID, Status: stockbell.FlowStatus(row.Status), Template: row.Template, UpdatedAt: row.UpdatedAt}
	if err := json.Unmarshal([]byte(row.Steps), &flow.Steps); err != nil {
		return nil, fmt.Errorf("flow of shop %d: %w", shopID, err)
	}
	return flow, nil
}

// UpdateFlow validates and stores the flow with an EventSettingsChanged
// event naming the flow, and sets its UpdatedAt to the change time stored
// (changeTime), the one FindFlow reads next. Returns EINVALID naming
// the field (storing nothing), or ENOTFOUND for an unknown shop.
func (db *DB) UpdateFlow(ctx context.Context, flow *stockbell.Flow) error {
	return db.updateFlow(ctx, flow, nil, nil)
}

// UpdateFlowIfUnchanged stores the flow as UpdateFlow does, only if the
// stored flow is the one last changed at seen (zero: a flow never stored).
// Returns ECONFLICT, storing nothing, when it was changed since.
func (db *DB) UpdateFlowIfUnchanged(ctx context.Context, flow *stockbell.Flow, seen time.Time) error {
	return db.updateFlow(ctx, flow, &seen, nil)
}

// updateFlow stores the flow, if seen is nil or the stored flow's change
// time; beforeCommit, when set, runs in its transaction once the flow is
// stored (tests make a restock and a decision happen there).
func (db *DB) updateFlow(ctx context.Context, flow *stockbell.Flow, seen *time.Time, beforeCommit func()) error {
	if err := flow.Validate(); err != nil {
		return err
	}
	steps, err := json.Marshal(flow.Steps)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		// Saves of one shop's flow take turns (on PostgreSQL), so that the
		// second reads what the first stored: a save to live right after a
		// save to draft sees the draft and rechecks the queue. The lock
		// leaves foreign keys' checks (new subscriptions') alone.
		if err := lockShopRow(ctx, tx, flow.ShopID, tx.forNoKeyUpdate()); err != nil {
			return err
		}
		previous, err := findFlow(ctx, tx, flow.ShopID)
		if err != nil {
			return err
		}
		if seen != nil && !previous.UpdatedAt.Equal(*seen) {
			return stockbell.Errorf(stockbell.ECONFLICT, "The flow was changed at %s, after the version this change was made from.",
				previous.UpdatedAt.UTC().Format(time.RFC3339))
		}
		if !previous.Status.Notifies() && flow.Status.Notifies() {
			if err := recheckWaitingVariants(ctx, tx, flow.ShopID); err != nil {
				return err
			}
		}
		flow.UpdatedAt = changeTime(tx.db.now(), previous.UpdatedAt)
		_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO flows (shop_id, status, template, steps, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop_id) DO UPDATE SET status = excluded.status,
			template = excluded.template, steps = excluded.steps, updated_at = excluded.updated_at`),
			flow.ShopID, flow.Status, flow.Template, string(steps), flow.UpdatedAt)
		if err != nil {
			return err
		}
		detail := EventDetail{"flow_status": flow.Status, "flow_steps": len(flow.Steps), "template": flow.Template}
		err = tx.insertEvent(ctx, stockbell.Event{ShopID: flow.ShopID, Kind: stockbell.EventSettingsChanged}, detail)
		if err == nil && beforeCommit != nil {
			beforeCommit()
		}
		return err
	})
}

// recheckWaitingVariants asks the engine to decide again for every variant
// of the shop with queued subscribers: a draft flow held them back, and a
// variant already in stock would otherwise wait for its next stock change.
//
// On PostgreSQL the shop's row is locked for update first. A subscription
// joining the queue (its insert's foreign key, or a confirmation,
// holdShopForQueueing) holds the row's key-share lock until it commits, and
// wakes the engine itself with a job that could run before this
// transaction commits and find the flow still in draft. With the lock,
// either that subscription commits first and the queue read here sees it,
// or it waits for this commit and its job finds the flow live.
func recheckWaitingVariants(ctx context.Context, tx *Tx, shopID int64) error {
	if err := lockShopRow(ctx, tx, shopID, tx.forUpdate()); err != nil {
		return err
	}
	var ids []int64
	err := tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT DISTINCT variant_id FROM subscriptions
		WHERE shop_id = ? AND status = 'queued' ORDER BY variant_id`), shopID)
	if err != nil {
		return err
	}
	return insertStockJobs(ctx, tx, shopID, ids)
}
