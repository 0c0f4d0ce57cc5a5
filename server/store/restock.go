package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.RestockStore = (*DB)(nil)

// restockStateRow is a variant with its product, waiting period and shop
// status, the shop's restock settings and flow status (nil where the shop
// has not stored its own: the defaults apply), and whether anyone is queued.
type restockStateRow struct {
	stockbell.VariantWithProduct
	WaitingUntil *time.Time `db:"waiting_until"`
	ShopStatus   string     `db:"shop_status"`
	HasQueued    bool       `db:"has_queued"`
	FlowStatus   *string    `db:"flow_status"`
	settingsRow
}

// settingsRow is a shop's stored restock settings, nil when it has none.
type settingsRow struct {
	MinInventory      *int           `db:"rs_min_inventory"`
	PerUnit           *int           `db:"rs_per_unit"`
	Wait              *time.Duration `db:"rs_wait"`
	AttributionWindow *time.Duration `db:"rs_attribution_window"`
	TimeZone          *string        `db:"rs_time_zone"`
	EmailDoubleOptIn  *bool          `db:"rs_email_double_opt_in"`
	UpdatedAt         *time.Time     `db:"rs_updated_at"`
}

// settings returns the stored settings, or the defaults when none are.
func (r settingsRow) settings(shopID int64) stockbell.RestockSettings {
	if r.MinInventory == nil {
		return stockbell.DefaultRestockSettings(shopID)
	}
	return stockbell.RestockSettings{ShopID: shopID, MinInventory: *r.MinInventory, PerUnit: *r.PerUnit, Wait: *r.Wait,
		AttributionWindow: *r.AttributionWindow, TimeZone: *r.TimeZone, EmailDoubleOptIn: *r.EmailDoubleOptIn, UpdatedAt: *r.UpdatedAt}
}

// restockStateQuery reads a restock state in one statement: the variant,
// its product and shop, the shop's settings and flow status, and whether
// anyone is queued. The literal status lets SQLite keep the prepared
// statement: a bound value compared with a column that partial indexes
// name (subscriptions.status) makes it prepare the statement again
// whenever it runs.
const restockStateQuery = `SELECT ` + variantWithProductColumns + `, v.waiting_until, s.status AS shop_status,
	rs.min_inventory AS rs_min_inventory, rs.per_unit AS rs_per_unit, rs.wait AS rs_wait,
	rs.attribution_window AS rs_attribution_window, rs.time_zone AS rs_time_zone,
	rs.email_double_opt_in AS rs_email_double_opt_in, rs.updated_at AS rs_updated_at, f.status AS flow_status,
	EXISTS (SELECT 1 FROM subscriptions q WHERE q.variant_id = v.id AND q.status = 'queued') AS has_queued
	` + variantWithProductFrom + ` JOIN shops s ON s.id = v.shop_id
	LEFT JOIN restock_settings rs ON rs.shop_id = v.shop_id LEFT JOIN flows f ON f.shop_id = v.shop_id
	WHERE v.id = ? AND v.shop_id = ?`

// FindRestockState reads what the restock engine decides on about the
// shop's variant, in one statement. Returns ENOTFOUND.
func (db *DB) FindRestockState(ctx context.Context, shopID, variantID int64) (*stockbell.RestockState, error) {
	var state *stockbell.RestockState
	err := db.inRead(func(tx *Tx) (err error) {
		state, err = findRestockState(ctx, tx, shopID, variantID)
		return err
	})
	return state, err
}

func findRestockState(ctx context.Context, tx *Tx, shopID, variantID int64) (*stockbell.RestockState, error) {
	var row restockStateRow
	if err := tx.GetContext(ctx, &row, tx.Rebind(restockStateQuery), variantID, shopID); err != nil {
		return nil, notFound(err, "variant %d not found", variantID)
	}
	state := &stockbell.RestockState{Variant: row.VariantWithProduct, WaitingUntil: utcPtr(row.WaitingUntil),
		ShopActive: row.ShopStatus == string(stockbell.ShopInstalled), Settings: row.settings(row.ShopID), HasQueued: row.HasQueued}
	if row.FlowStatus != nil {
		state.FlowStatus = stockbell.FlowStatus(*row.FlowStatus)
	} else {
		state.FlowStatus = stockbell.DefaultFlow(row.ShopID).Status
	}
	return state, nil
}

// RecordSkip records an EventSkipped decision about the shop's variant.
// Returns ENOTFOUND.
func (db *DB) RecordSkip(ctx context.Context, shopID, variantID int64, reason stockbell.SkipReason, detail map[string]any) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := variantOfShop(ctx, tx, shopID, variantID); err != nil {
			return err
		}
		return tx.insertEvent(ctx, variantEvent(shopID, variantID, stockbell.EventSkipped), skipDetail(reason, detail))
	})
}

func skipDetail(reason stockbell.SkipReason, extra map[string]any) EventDetail {
	detail := EventDetail{"reason": reason}
	for k, v := range extra {
		detail[k] = v
	}
	return detail
}

// variantOfShop returns ENOTFOUND unless the variant is the shop's.
func variantOfShop(ctx context.Context, tx *Tx, shopID, variantID int64) error {
	var found int
	err := tx.GetContext(ctx, &found, tx.Rebind(`SELECT 1 FROM variants WHERE id = ? AND shop_id = ?`), variantID, shopID)
	return notFound(err, "variant %d not found", variantID)
}

func variantEvent(shopID, variantID int64, kind stockbell.EventKind) stockbell.Event {
	return stockbell.Event{ShopID: shopID, Kind: kind, VariantID: &variantID}
}

// lockWaitingPeriod locks the shop's variant row and returns its waiting
// period. Returns ENOTFOUND.
func lockWaitingPeriod(ctx context.Context, tx *Tx, shopID, variantID int64) (*time.Time, error) {
	var waitingUntil *time.Time
	err := tx.GetContext(ctx, &waitingUntil, tx.Rebind(`SELECT waiting_until FROM variants WHERE id = ? AND shop_id = ?`+tx.forUpdate()),
		variantID, shopID)
	if err != nil {
		return nil, notFound(err, "variant %d not found", variantID)
	}
	return utcPtr(waitingUntil), nil
}

// StartBatch records a batch decided by the engine; see stockbell.RestockStore.
func (db *DB) StartBatch(ctx context.Context, start stockbell.BatchStart) (*stockbell.RestockBatch, error) {
	var batch *stockbell.RestockBatch
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		batch, err = startBatch(ctx, tx, start)
		return err
	})
	return batch, err
}

func startBatch(ctx context.Context, tx *Tx, start stockbell.BatchStart) (*stockbell.RestockBatch, error) {
	shopID := start.ShopID
	waiting, err := lockWaitingPeriod(ctx, tx, shopID, start.VariantID)
	if err != nil {
		return nil, err
	}
	if !sameTime(waiting, start.ExpectWaitingUntil) {
		return nil, stockbell.Errorf(stockbell.ECONFLICT, "variant %d: waiting period changed since the decision", start.VariantID)
	}
	if start.Cutoff, err = batchCutoff(ctx, tx, start.VariantID, start.Cutoff); err != nil {
		return nil, err
	}
	batch, err := insertBatch(ctx, tx, shopID, start)
	if err != nil {
		return nil, err
	}
	if start.WaitEnded {
		err := tx.insertEvent(ctx, variantEvent(shopID, start.VariantID, stockbell.EventWaitEnded), EventDetail{"until": waiting})
		if err != nil {
			return nil, err
		}
	}
	if err := recordBatchStarted(ctx, tx, batch, start); err != nil {
		return nil, err
	}
	if batch.WaitingUntil, err = setWaitingPeriod(ctx, tx, batch, start); err != nil {
		return nil, err
	}
	return batch, tx.insertJob(ctx, stockbell.RestockBatchJob{ShopID: shopID, BatchID: batch.ID, Chunk: 1}, nil)
}

// batchCutoff returns the cutoff of a batch decided at decided: that time,
// or the newest queued subscription's when it is later, so that the batch
// takes every subscriber queued as it starts. A subscription is stamped by
// the clock of the replica that took it, which may run ahead of the
// deciding replica's; its sign-up's own restock job would otherwise start
// a batch that passes it over, leaving it queued for a variant in stock.
func batchCutoff(ctx context.Context, tx *Tx, variantID int64, decided time.Time) (time.Time, error) {
	var newest time.Time
	// The literal status keeps the statement prepared (see restockStateQuery).
	err := tx.GetContext(ctx, &newest, tx.Rebind(`SELECT created_at FROM subscriptions
		WHERE variant_id = ? AND status = 'queued' ORDER BY created_at DESC, id DESC LIMIT 1`), variantID)
	if isNoRows(err) || (err == nil && !newest.After(decided)) {
		return decided, nil
	}
	return newest, err
}

func insertBatch(ctx context.Context, tx *Tx, shopID int64, start stockbell.BatchStart) (*stockbell.RestockBatch, error) {
	now := tx.db.now()
	batch := &stockbell.RestockBatch{ShopID: shopID, VariantID: start.VariantID, Everyone: start.Everyone, Size: start.Size,
		Stock: start.Stock, Cutoff: start.Cutoff.UTC().Truncate(time.Microsecond), CreatedAt: now}
	var err error
	batch.ID, err = tx.insertID(ctx, `INSERT INTO restock_batches (shop_id, variant_id, everyone, size, stock, per_unit, cutoff, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, shopID, start.VariantID, start.Everyone, start.Size, start.Stock, start.PerUnit, batch.Cutoff, now)
	return batch, err
}

// recordBatchStarted records the batch's start and, when it is the first
// batch since the variant came back from sold out, the restock that
// started the notifications (see cameBackSinceLastBatch).
func recordBatchStarted(ctx context.Context, tx *Tx, batch *stockbell.RestockBatch, start stockbell.BatchStart) error {
	cameBack, err := cameBackSinceLastBatch(ctx, tx, batch)
	if err != nil {
		return err
	}
	if cameBack {
		restocked := EventDetail{"stock": start.Stock, "batch_id": batch.ID}
		if err := tx.insertEvent(ctx, variantEvent(batch.ShopID, batch.VariantID, stockbell.EventRestocked), restocked); err != nil {
			return err
		}
	}
	size := any(start.Size)
	if start.Everyone {
		size = "everyone"
	}
	detail := EventDetail{"batch_id": batch.ID, "size": size, "stock": start.Stock, "per_unit": start.PerUnit}
	return tx.insertEvent(ctx, variantEvent(batch.ShopID, batch.VariantID, stockbell.EventBatchStarted), detail)
}

// setWaitingPeriod starts a waiting period (with its RestockWaitEndedJob)
// after every batch sized by customers per unit, even one that took
// everyone queued: shoppers who sign up right after it are then not told
// on the units it was sized on, but when stock is counted again at the
// wait's end. After a batch to everyone it clears any period the variant had.
func setWaitingPeriod(ctx context.Context, tx *Tx, batch *stockbell.RestockBatch, start stockbell.BatchStart) (*time.Time, error) {
	tx.catalogChanged = true
	var until *time.Time
	if !start.Everyone && start.Wait > 0 {
		t := tx.db.now().Add(start.Wait).Truncate(time.Microsecond)
		until = &t
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE variants SET waiting_until = ? WHERE id = ? AND shop_id = ?`), until, start.VariantID, batch.ShopID)
	if err != nil || until == nil {
		return nil, err
	}
	detail := EventDetail{"until": *until, "wait": start.Wait.String(), "batch_id": batch.ID}
	if err := tx.insertEvent(ctx, variantEvent(batch.ShopID, batch.VariantID, stockbell.EventWaitStarted), detail); err != nil {
		return nil, err
	}
	job := stockbell.RestockWaitEndedJob{ShopID: batch.ShopID, VariantID: start.VariantID, Until: *until}
	return until, tx.insertJob(ctx, job, &stockbell.JobOptions{ScheduledAt: *until})
}

// EndWait clears the waiting period of the shop's variant ending at
// end.Until; see stockbell.RestockStore. Returns ENOTFOUND.
func (db *DB) EndWait(ctx context.Context, end stockbell.WaitEnd) (bool, error) {
	var ended bool
	shopID := end.ShopID
	err := db.inTx(ctx, func(tx *Tx) error {
		waiting, err := lockWaitingPeriod(ctx, tx, shopID, end.VariantID)
		if err != nil || !sameTime(waiting, &end.Until) {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE variants SET waiting_until = NULL WHERE id = ? AND shop_id = ?`), end.VariantID, shopID); err != nil {
			return err
		}
		ended = true
		if err := tx.insertEvent(ctx, variantEvent(shopID, end.VariantID, stockbell.EventWaitEnded), EventDetail{"until": end.Until}); err != nil {
			return err
		}
		if end.Reason == "" {
			return nil
		}
		detail := skipDetail(end.Reason, map[string]any{"stock": end.Stock, "wait_ended": true})
		return tx.insertEvent(ctx, variantEvent(shopID, end.VariantID, stockbell.EventSkipped), detail)
	})
	return ended, err
}

// sameTime compares two optional instants.
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// cameBackSinceLastBatch reports whether the batch is the variant's
// first, or the variant came back from sold out (a stock change from zero
// or less to more, as the dashboard and Products count restocks) since its
// previous batch started. A follow-up batch at a wait's end, or one for
// shoppers who joined the queue while the variant was in stock (a sign-up
// confirmed after the restock), is a batch of the same restock, not a
// restock of its own. Events are compared by id, which follows the order
// they were written in even where a clock gives two of them one time.
//
// Only the variant's events from comebackLookBehind before its previous
// batch on are read (events_variant), so the cost follows the events
// since that batch, not every stock change the variant ever had.
func cameBackSinceLastBatch(ctx context.Context, tx *Tx, batch *stockbell.RestockBatch) (bool, error) {
	var previous time.Time
	err := tx.GetContext(ctx, &previous, tx.Rebind(`SELECT created_at FROM restock_batches
		WHERE variant_id = ? AND shop_id = ? AND id <> ? ORDER BY created_at DESC, id DESC LIMIT 1`), batch.VariantID, batch.ShopID, batch.ID)
	if isNoRows(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	var last struct {
		Batch    int64 `db:"last_batch"`
		Comeback int64 `db:"last_comeback"`
	}
	comeback := `kind = ? AND ` + tx.jsonInt("detail", "old_stock") + ` <= 0 AND ` + tx.jsonInt("detail", "new_stock") + ` > 0`
	err = tx.GetContext(ctx, &last, tx.Rebind(`SELECT
		COALESCE(MAX(CASE WHEN kind = ? THEN id END), 0) AS last_batch,
		COALESCE(MAX(CASE WHEN `+comeback+` THEN id END), 0) AS last_comeback
		FROM events WHERE variant_id = ? AND created_at >= ? AND shop_id = ? AND kind IN (?, ?)`),
		stockbell.EventBatchStarted, stockbell.EventStockChanged, batch.VariantID, previous.Add(-comebackLookBehind),
		batch.ShopID, stockbell.EventBatchStarted, stockbell.EventStockChanged)
	return last.Batch == 0 || last.Comeback > last.Batch, err
}

// comebackLookBehind is how much earlier than the variant's previous batch
// a stock change may be stamped and still be read by
// cameBackSinceLastBatch: events are stamped by the clock of the replica
// that wrote them, and a comeback written after the batch by a replica
// whose clock runs behind is stamped before it.
const comebackLookBehind = time.Hour
