package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ApplyStockChange orders one location's change against its stored level
// with stockbell.DecideStockChange and, when it is newer, records it and
// recomputes the variant's stock as the sum over its locations (for a
// change naming an inventory item, each variant the item backs: see
// applyStockChange), in one
// transaction with an EventStockChanged event and, when anyone is queued
// for the variant, a VariantStockChangedJob for the restock engine (see
// recordStockChange).
// A stale change is not applied and leaves an EventStockChangeIgnored; one
// that cannot be ordered leaves an EventStockChangeReread and is returned
// with Reread set, for the caller to read the level from the platform
// again. A duplicate changes nothing. The variant row is locked first, so
// concurrent changes to one variant queue up and each sums what the others
// committed. Returns EINVALID without a variant or shop, ENOTFOUND for an
// unknown variant.
//
// On SQLite the transaction is a group transaction (see groupCommit):
// concurrent changes, such as those of a batch of receipts, share one
// commit and one insert of their jobs. On PostgreSQL each change has a
// transaction of its own, so changes run in parallel on the pool's
// connections and two changes never wait on each other's variant locks
// inside one transaction.
func (db *DB) ApplyStockChange(ctx context.Context, change stockbell.StockChange) (*stockbell.StockResult, error) {
	if err := validateStockChange(&change); err != nil {
		return nil, err
	}
	var result *stockbell.StockResult
	if db.Dialect == Postgres {
		err := db.inTx(ctx, func(tx *Tx) (err error) {
			result, err = applyStockChange(ctx, tx, change)
			return err
		})
		return result, err
	}
	var unknown error
	err := db.group.do(ctx, func(ctx context.Context, tx *Tx) (err error) {
		result, err = applyStockChange(ctx, tx, change)
		unknown = nil
		if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
			// The variant's lookup, the change's first statement, found
			// nothing: nothing was written, and the batch goes on.
			unknown, err = err, nil
		}
		return err
	})
	if err == nil {
		err = unknown
	}
	return result, err
}

// BeginStockRead takes the stock sequence number a read of a platform
// begins at: every level written after it was recorded while the read was
// in flight.
func (db *DB) BeginStockRead(ctx context.Context) (stockbell.StockRead, error) {
	var read stockbell.StockRead
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		read.Seq, err = tx.nextStockSeq(ctx)
		return err
	})
	return read, err
}

func validateStockChange(c *stockbell.StockChange) error {
	if c.ShopID == 0 {
		return stockbell.FieldErrorf("shop_id", "stock change names no shop")
	}
	if c.VariantPlatformID == "" && c.InventoryItemID == "" {
		return stockbell.FieldErrorf("variant", "stock change names neither a variant nor an inventory item")
	}
	if c.LocationID == "" {
		c.LocationID = stockbell.DefaultLocation
	}
	if !c.At.IsZero() {
		c.At = c.At.UTC().Truncate(time.Microsecond)
	}
	return nil
}

// applyStockChange applies the change to its variant, or to each variant
// its inventory item backs, in id order (StockResult.Shared).
func applyStockChange(ctx context.Context, tx *Tx, c stockbell.StockChange) (*stockbell.StockResult, error) {
	variants, err := lockVariantsForChange(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	results := make([]*stockbell.StockResult, len(variants))
	for i, v := range variants {
		if results[i], err = applyVariantChange(ctx, tx, v, c); err != nil {
			return nil, err
		}
	}
	return sharedResult(results), nil
}

// sharedResult is the result of a change to the variants an inventory item
// backs, given in id order: the first one's, holding the others'.
func sharedResult(results []*stockbell.StockResult) *stockbell.StockResult {
	first := results[0]
	if len(results) > 1 {
		first.Shared = results[1:]
	}
	return first
}

// applyVariantChange orders the change against the variant's level at its
// location and carries out what DecideStockChange decides.
func applyVariantChange(ctx context.Context, tx *Tx, v *stockbell.Variant, c stockbell.StockChange) (*stockbell.StockResult, error) {
	result := &stockbell.StockResult{Variant: v, OldStock: v.Stock, NewStock: v.Stock}
	stored, err := findLevel(ctx, tx, v.ID, c.LocationID)
	if err != nil {
		return nil, err
	}
	decision := stockbell.DecideStockChange(stored, c)
	result.Reason = decision.Reason
	result.Reread = decision.Verdict == stockbell.StockReread
	if decision.Verdict == stockbell.StockApply && tx.db.Dialect == Postgres && !c.Disconnected {
		if err := applyLevelInOneStatement(ctx, tx, v, c, result); err != nil {
			return nil, err
		}
		return result, nil
	}
	if err := carryOutLevelDecision(ctx, tx, v, c, stored, decision); err != nil {
		return nil, err
	}
	if decision.Verdict != stockbell.StockApply {
		return result, nil
	}
	var queued bool
	if result.NewStock, queued, err = recomputeStock(ctx, tx, v.ID); err != nil {
		return nil, err
	}
	result.Applied = true
	v.Stock, v.UpdatedAt = result.NewStock, tx.db.now()
	if err := recordStockChange(ctx, tx, v, c, result, queued); err != nil {
		return nil, err
	}
	return result, nil
}

// applyLevelAndStockQuery writes an applied change's level, sets the
// variant's stock to the sum of its levels and records the change's event
// in one statement, and reports the new stock and whether anyone is queued
// (see recomputeStock): on PostgreSQL one round trip where writeLevel,
// recomputeStock and insertEvent take three. Its snapshot is taken after
// the variant's lock, so the other locations' levels it sums are the
// committed ones, as recomputeStock's are; the level it writes is added
// from its own RETURNING, which the same statement's reads cannot see.
// The event's detail is the Go-encoded detail with the stock spliced in
// (stockChangedDetailAround).
const applyLevelAndStockQuery = `WITH level AS (
	INSERT INTO inventory_levels (` + levelColumns + `) VALUES ($1, $2, $3, $4, $5, nextval('stock_seq'), $6, FALSE)
	` + levelUpsert + `
	RETURNING available
), stocked AS (
	UPDATE variants SET stock = (SELECT COALESCE(SUM(available), 0) FROM inventory_levels
		WHERE variant_id = $1 AND location_id <> $2 AND ` + liveLevels + `) + (SELECT available FROM level), updated_at = $6
	WHERE id = $1 RETURNING stock
), event AS (
	INSERT INTO events (shop_id, kind, variant_id, detail, created_at)
	SELECT $7, $8, $1, $9::text || stocked.stock::text || $10::text, $6 FROM stocked
)
SELECT stock, EXISTS (SELECT 1 FROM subscriptions WHERE variant_id = $1 AND status = 'queued') FROM stocked`

// applyLevelInOneStatement carries out an applied change that is not a
// disconnect on PostgreSQL with applyLevelAndStockQuery, then queues the
// restock engine's job when anyone is queued (recordStockChange).
func applyLevelInOneStatement(ctx context.Context, tx *Tx, v *stockbell.Variant, c stockbell.StockChange, r *stockbell.StockResult) error {
	before, after, err := stockChangedDetailAround(c, r.OldStock)
	if err != nil {
		return err
	}
	tx.catalogChanged = true
	now := tx.db.now()
	var queued bool
	err = tx.QueryRowxContext(ctx, applyLevelAndStockQuery, v.ID, c.LocationID, c.Available, nullTime(c.At), levelOrigin(c), now,
		v.ShopID, stockbell.EventStockChanged, before, after).Scan(&r.NewStock, &queued)
	if err != nil {
		return err
	}
	r.Applied = true
	v.Stock, v.UpdatedAt = r.NewStock, now
	if !queued {
		return nil
	}
	return insertStockJobs(ctx, tx, v.ShopID, []int64{v.ID})
}

// stockChangedDetail is an applied change's EventStockChanged detail.
func stockChangedDetail(c stockbell.StockChange, oldStock, newStock int) EventDetail {
	return EventDetail{"old_stock": oldStock, "new_stock": newStock, "location_id": c.LocationID,
		"available": c.Available, "disconnected": c.Disconnected, "source": c.Source, "at": nullTime(c.At)}
}

// stockChangedDetailAround is the JSON of stockChangedDetail as
// encoding/json writes it, less the new stock's number: the text before
// it and after it. The keys are written sorted, so "new_stock" comes just
// before "old_stock"; no value written before it can contain the
// sequence `,"old_stock":`, since a string's quotes are escaped.
func stockChangedDetailAround(c stockbell.StockChange, oldStock int) (before, after string, err error) {
	detail := stockChangedDetail(c, oldStock, 0)
	delete(detail, "new_stock")
	raw, err := json.Marshal(detail)
	if err != nil {
		return "", "", err
	}
	i := strings.Index(string(raw), `,"old_stock":`)
	if i < 0 {
		return "", "", fmt.Errorf("store: stock change detail without old_stock: %s", raw)
	}
	return string(raw[:i]) + `,"new_stock":`, string(raw[i:]), nil
}

// recordStockChange records an applied change's event and, when anyone is
// queued for the variant, the restock engine's job. With no one queued the
// engine's decision is known here, in the change's own transaction: it
// would read the same queue (stockbell.RestockState.HasQueued) and do
// nothing. A subscription queued later wakes the engine itself: one on a
// purchasable variant queues this job in its own transaction
// (createSubscription), and one awaiting confirmation does when it is
// confirmed. The two cannot miss each other: on SQLite writes are serial,
// and on PostgreSQL the change holds the variant's row lock from before it
// reads the queue until it commits, while a new subscription reads the
// variant under a key-share lock (findVariantForSubscription,
// insertDirectSubscriptions), which waits for that commit and then sees
// the new stock; or, when the subscription holds that lock first, the
// change waits for the subscription's commit and then sees it queued.
func recordStockChange(ctx context.Context, tx *Tx, v *stockbell.Variant, c stockbell.StockChange, r *stockbell.StockResult, queued bool) error {
	detail := stockChangedDetail(c, r.OldStock, r.NewStock)
	e := stockbell.Event{ShopID: v.ShopID, Kind: stockbell.EventStockChanged, VariantID: &v.ID}
	if err := tx.insertEvent(ctx, e, detail); err != nil {
		return err
	}
	if !queued {
		return nil
	}
	return insertStockJobs(ctx, tx, v.ShopID, []int64{v.ID})
}

// lockVariantsForChange finds the change's variant by platform id, or
// every variant its inventory item backs, and locks their rows in id
// order. Returns ENOTFOUND when there is none.
func lockVariantsForChange(ctx context.Context, tx *Tx, c stockbell.StockChange) ([]*stockbell.Variant, error) {
	// The literal condition on the inventory item lets the planner use the
	// partial index variants_inventory_item, which a bound value alone
	// cannot show to apply.
	where, key := "v.platform_id = ?", c.VariantPlatformID
	if key == "" {
		where, key = "v.inventory_item_id = ? AND v.inventory_item_id <> ''", c.InventoryItemID
	}
	var variants []*stockbell.Variant
	err := tx.SelectContext(ctx, &variants, tx.Rebind(`SELECT `+variantColumns+` FROM variants v WHERE v.shop_id = ? AND `+where+`
		ORDER BY v.id`+tx.forUpdate()), c.ShopID, key)
	if err == nil && len(variants) == 0 {
		err = stockbell.Errorf(stockbell.ENOTFOUND, "no variant %q in shop %d", key, c.ShopID)
	}
	return variants, err
}

// recomputeStock sets the variant's stock to the sum of its live levels and
// reports, in the same statement, whether anyone is queued for the
// variant, as the restock engine reads it (FindRestockState). The status
// is written literally so that SQLite plans the partial indexes once (see
// FindRestockState).
func recomputeStock(ctx context.Context, tx *Tx, variantID int64) (stock int, queued bool, err error) {
	tx.catalogChanged = true
	err = tx.QueryRowxContext(ctx, tx.Rebind(`UPDATE variants SET
		stock = (SELECT COALESCE(SUM(available), 0) FROM inventory_levels WHERE variant_id = ? AND `+liveLevels+`), updated_at = ?
		WHERE id = ? RETURNING stock, EXISTS (SELECT 1 FROM subscriptions WHERE variant_id = ? AND status = 'queued')`),
		variantID, tx.db.now(), variantID, variantID).Scan(&stock, &queued)
	return stock, queued, err
}
