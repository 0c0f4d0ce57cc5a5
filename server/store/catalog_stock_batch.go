package store

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ApplyStockChanges applies a batch of changes, such as the inventory
// webhooks of one claim of receipts, with a few statements for the whole
// batch instead of a transaction of four or five statements per change:
// the variants are found together and locked in id order (so two batches
// never deadlock on each other), their levels read together, every change
// ordered against its location's level in Go (stockbell.DecideStockChange,
// as ApplyStockChange does, a later change of the batch against the level
// an earlier one left), then the levels, the stocks, the events and the
// restock engine's jobs written together. The outcomes are those of
// ApplyStockChange called on each change in order; a change's own
// EINVALID or ENOTFOUND is its outcome's error and stores nothing for it.
//
// On SQLite the batch is one group transaction (see groupCommit); on
// PostgreSQL a transaction of its own.
func (db *DB) ApplyStockChanges(ctx context.Context, changes []stockbell.StockChange) ([]stockbell.StockOutcome, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	var outcomes []stockbell.StockOutcome
	apply := func(ctx context.Context, tx *Tx) (err error) {
		outcomes, err = applyStockChanges(ctx, tx, changes)
		return err
	}
	var err error
	if db.Dialect == Postgres {
		err = db.inTx(ctx, func(tx *Tx) error { return apply(ctx, tx) })
	} else {
		err = db.group.do(ctx, apply)
	}
	return outcomes, err
}

// levelKey is one location of one variant.
type levelKey struct {
	variantID  int64
	locationID string
}

// stockBatch is a batch of changes being applied: the locked variants,
// their levels as the changes so far leave them, and what is to be
// written at the end.
type stockBatch struct {
	now      time.Time
	variants map[int64]*stockbell.Variant
	// levels are each variant's levels by location.
	levels map[int64]map[string]*stockbell.InventoryLevel
	// written lists, once each in the order first written, the locations
	// whose level (or tombstone) a change wrote: the final one of each is
	// stored.
	written      []levelKey
	wasWritten   map[levelKey]bool
	wasRestocked map[int64]bool
	// restocked lists, once each, the variants whose stock was recomputed;
	// appliedChanges, once per applied change, the variant it changed.
	restocked      []int64
	appliedChanges []int64
	events         batchEvents
}

// batchEvents are the events of a batch, column by column, in the order
// ApplyStockChange would have inserted them.
type batchEvents struct {
	shops, variants []int64
	kinds, details  []string
}

func (e *batchEvents) add(shopID, variantID int64, kind stockbell.EventKind, detail EventDetail) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	e.shops, e.variants = append(e.shops, shopID), append(e.variants, variantID)
	e.kinds, e.details = append(e.kinds, string(kind)), append(e.details, string(raw))
	return nil
}

func applyStockChanges(ctx context.Context, tx *Tx, changes []stockbell.StockChange) ([]stockbell.StockOutcome, error) {
	outcomes := make([]stockbell.StockOutcome, len(changes))
	changes = append([]stockbell.StockChange(nil), changes...)
	for i := range changes {
		outcomes[i].Err = validateStockChange(&changes[i])
	}
	variantsOf, locked, err := lockVariantsForChanges(ctx, tx, changes, outcomes)
	if err != nil {
		return nil, err
	}
	b := &stockBatch{now: tx.db.now(), variants: locked, levels: map[int64]map[string]*stockbell.InventoryLevel{},
		wasWritten: map[levelKey]bool{}, wasRestocked: map[int64]bool{}}
	if err := b.loadLevels(ctx, tx); err != nil {
		return nil, err
	}
	for i, c := range changes {
		if outcomes[i].Err != nil {
			continue
		}
		if outcomes[i].Result, err = b.settleEach(variantsOf[i], c); err != nil {
			return nil, err
		}
	}
	if err := b.write(ctx, tx); err != nil {
		return nil, err
	}
	return outcomes, nil
}

// lockVariantsForChanges finds each valid change's variants, as
// lockVariantsForChange does, and locks them all in id order, in one
// statement (findVariantsForChanges). It returns the variant ids of each
// change (none for one with an error) and the locked variants by id, and
// sets the outcome of a change whose variant is unknown to ENOTFOUND.
func lockVariantsForChanges(ctx context.Context, tx *Tx, changes []stockbell.StockChange, outcomes []stockbell.StockOutcome) ([][]int64, map[int64]*stockbell.Variant, error) {
	locked, err := findVariantsForChanges(ctx, tx, changes, outcomes)
	if err != nil {
		return nil, nil, err
	}
	byPlatformID, byItem := variantKeys(locked)
	variantsOf := make([][]int64, len(changes))
	for i, c := range changes {
		if outcomes[i].Err != nil {
			continue
		}
		variantsOf[i] = byItem[stockKey{c.ShopID, c.InventoryItemID}]
		if c.VariantPlatformID != "" {
			variantsOf[i] = byPlatformID[stockKey{c.ShopID, c.VariantPlatformID}]
		}
		if variantsOf[i] != nil {
			continue
		}
		// No such variant, or its row changed between the statement's
		// lookup and its lock (deleted, or its key moved): looked up, and
		// locked, on its own.
		variants, err := lockVariantsForChange(ctx, tx, c)
		if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
			outcomes[i].Err = err
			continue
		} else if err != nil {
			return nil, nil, err
		}
		for _, v := range variants {
			locked[v.ID] = v
			variantsOf[i] = append(variantsOf[i], v.ID)
		}
	}
	return variantsOf, locked, nil
}

// stockKey is a variant's platform id, or an inventory item id, in a shop.
type stockKey struct {
	shopID int64
	id     string
}

// variantKeys indexes the locked rows by what changes name them by: the
// variant by its platform id, and the ids of every variant an inventory
// item backs, in id order.
func variantKeys(locked map[int64]*stockbell.Variant) (map[stockKey][]int64, map[stockKey][]int64) {
	ids := slices.Sorted(maps.Keys(locked))
	byPlatformID, byItem := map[stockKey][]int64{}, map[stockKey][]int64{}
	for _, id := range ids {
		v := locked[id]
		byPlatformID[stockKey{v.ShopID, v.PlatformID}] = []int64{id}
		if v.InventoryItemID != "" {
			k := stockKey{v.ShopID, v.InventoryItemID}
			byItem[k] = append(byItem[k], id)
		}
	}
	return byPlatformID, byItem
}

// findVariantsForChanges reads, and on PostgreSQL locks in id order, the
// variants the valid changes name: each by platform id, or else every
// variant of its inventory item (as lockVariantsForChange).
func findVariantsForChanges(ctx context.Context, tx *Tx, changes []stockbell.StockChange, outcomes []stockbell.StockOutcome) (map[int64]*stockbell.Variant, error) {
	var shops []int64
	var platformIDs, itemIDs []string
	for i, c := range changes {
		if outcomes[i].Err == nil {
			shops = append(shops, c.ShopID)
			platformIDs, itemIDs = append(platformIDs, c.VariantPlatformID), append(itemIDs, c.InventoryItemID)
		}
	}
	out := map[int64]*stockbell.Variant{}
	rows := newRowSet("wanted").int64s("shop_id", shops).texts("platform_id", platformIDs).texts("item_id", itemIDs)
	err := rows.each(tx, func(with string, args []any, _, _ int) error {
		// The literal condition on the inventory item lets the planner use
		// the partial index variants_inventory_item (lockVariantsForChange).
		var found []*stockbell.Variant
		err := tx.SelectContext(ctx, &found, tx.Rebind(`WITH `+with+` SELECT `+variantColumns+` FROM variants v
			WHERE v.id IN (SELECT w.id FROM wanted JOIN variants w ON w.shop_id = wanted.shop_id AND w.platform_id = wanted.platform_id
					WHERE wanted.platform_id <> ''
				UNION ALL SELECT w.id FROM wanted JOIN variants w ON w.shop_id = wanted.shop_id AND w.inventory_item_id = wanted.item_id
					WHERE wanted.platform_id = '' AND w.inventory_item_id <> '')
			ORDER BY v.id`+tx.forUpdateOf("v")), args...)
		for _, v := range found {
			out[v.ID] = v
		}
		return err
	})
	return out, err
}

// forUpdateOf is forUpdate for the rows of one table of the query.
func (tx *Tx) forUpdateOf(table string) string {
	if lock := tx.forUpdate(); lock != "" {
		return lock + " OF " + table
	}
	return ""
}

// loadLevels reads the stored levels of the locked variants.
func (b *stockBatch) loadLevels(ctx context.Context, tx *Tx) error {
	ids := make([]int64, 0, len(b.variants))
	for id := range b.variants {
		ids = append(ids, id)
		b.levels[id] = map[string]*stockbell.InventoryLevel{}
	}
	slices.Sort(ids)
	levels, err := findLevelsOf(ctx, tx, ids)
	if err != nil {
		return err
	}
	for id, ls := range levels {
		for i := range ls {
			b.levels[id][ls[i].LocationID] = &ls[i]
		}
	}
	return nil
}

// settleEach settles the change for each of its variants (settle), the
// first one's result holding the others' (StockResult.Shared).
func (b *stockBatch) settleEach(variantIDs []int64, c stockbell.StockChange) (*stockbell.StockResult, error) {
	results := make([]*stockbell.StockResult, len(variantIDs))
	for i, id := range variantIDs {
		var err error
		if results[i], err = b.settle(id, c); err != nil {
			return nil, err
		}
	}
	return sharedResult(results), nil
}

// settle orders one change against its location's level as the batch has
// left it and records what it does, as applyStockChange does.
func (b *stockBatch) settle(variantID int64, c stockbell.StockChange) (*stockbell.StockResult, error) {
	v := b.variants[variantID]
	key := levelKey{variantID, c.LocationID}
	stored := b.levels[variantID][c.LocationID]
	decision := stockbell.DecideStockChange(stored, c)
	stock := v.Stock
	result := &stockbell.StockResult{OldStock: stock, NewStock: stock, Reason: decision.Reason,
		Reread: decision.Verdict == stockbell.StockReread}
	switch decision.Verdict {
	case stockbell.StockApply, stockbell.StockRefresh:
		b.writeLevel(key, c)
	case stockbell.StockIgnore:
		if err := b.events.add(v.ShopID, v.ID, stockbell.EventStockChangeIgnored, unappliedDetail(c, stored, decision.Reason)); err != nil {
			return nil, err
		}
	case stockbell.StockReread:
		if err := b.events.add(v.ShopID, v.ID, stockbell.EventStockChangeReread, unappliedDetail(c, stored, decision.Reason)); err != nil {
			return nil, err
		}
	}
	if decision.Verdict == stockbell.StockApply {
		result.Applied, result.NewStock = true, b.sum(variantID)
		v.Stock, v.UpdatedAt = result.NewStock, b.now
		if !b.wasRestocked[variantID] {
			b.wasRestocked[variantID] = true
			b.restocked = append(b.restocked, variantID)
		}
		b.appliedChanges = append(b.appliedChanges, variantID)
		if err := b.events.add(v.ShopID, v.ID, stockbell.EventStockChanged, stockChangedDetail(c, result.OldStock, result.NewStock)); err != nil {
			return nil, err
		}
	}
	snapshot := *v
	result.Variant = &snapshot
	return result, nil
}

// writeLevel makes the change the location's level (a disconnect, its
// tombstone). A level written by the batch takes a sequence number after
// every read already begun, which math.MaxInt64 stands for until it is
// stored.
func (b *stockBatch) writeLevel(key levelKey, c stockbell.StockChange) {
	if !b.wasWritten[key] {
		b.wasWritten[key] = true
		b.written = append(b.written, key)
	}
	b.levels[key.variantID][key.locationID] = &stockbell.InventoryLevel{VariantID: key.variantID, LocationID: key.locationID,
		Available: levelAvailable(c), PlatformUpdatedAt: nullTime(c.At), Origin: levelOrigin(c), Seq: math.MaxInt64, UpdatedAt: b.now,
		Disconnected: c.Disconnected}
}

// sum is the variant's stock: the sum of its live levels.
func (b *stockBatch) sum(variantID int64) int {
	total := 0
	for _, l := range b.levels[variantID] {
		if !l.Disconnected {
			total += l.Available
		}
	}
	return total
}
