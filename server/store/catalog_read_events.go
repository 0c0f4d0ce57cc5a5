package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// upsertStockRead orders a product upsert's levels as its read of the
// platform and gathers the stock_changed events of the stored variants
// whose stock they change, to be written together once every variant is
// settled (insertEvents): one statement for the product rather than one
// per variant.
type upsertStockRead struct {
	read   stockbell.StockRead
	source string
	events stockChangedEvents
}

func newUpsertStockRead(up stockbell.ProductUpsert) *upsertStockRead {
	r := &upsertStockRead{source: up.Source}
	if up.Read != nil {
		r.read = *up.Read
	}
	return r
}

// settle orders the variant's levels, when the upsert lists them (not
// nil), against the stored ones and returns its stock after them. A
// stored variant whose stock they change gets an EventStockChanged, as a
// stock change does; one this upsert has just inserted gets none, as it
// had no stock before. Reading the variant's queue and waking the restock
// engine are left to the upsert (upsertVariants).
func (r *upsertStockRead) settle(ctx context.Context, tx *Tx, v *lockedVariant, levels []stockbell.LocationLevel) (int, error) {
	if levels == nil {
		return v.Stock, nil
	}
	applied, err := settleReadLevels(ctx, tx, &v.Variant, levels, r.read, r.source)
	if err != nil || len(applied) == 0 {
		return v.Stock, err
	}
	stock, _, err := recomputeStock(ctx, tx, v.ID)
	if err != nil || v.fresh || stock == v.Stock {
		return stock, err
	}
	r.events.add(v.ID, readStockChangedDetail(applied, v.Stock, stock))
	return stock, nil
}

// readStockChangedDetail is the EventStockChanged detail of a read whose
// applied level changes (settleReadLevels) changed the stock:
// stockChangedDetail's for one location, or, when the read changed
// several, the stocks and source with the locations listed.
func readStockChangedDetail(applied []stockbell.StockChange, oldStock, newStock int) EventDetail {
	if len(applied) == 1 {
		return stockChangedDetail(applied[0], oldStock, newStock)
	}
	locations := make([]string, len(applied))
	for i, c := range applied {
		locations[i] = c.LocationID
	}
	return EventDetail{"old_stock": oldStock, "new_stock": newStock, "locations": locations, "source": applied[0].Source}
}

// insertEvents writes the gathered events, as the feed writes its items'
// (stockChangedEvents).
func (r *upsertStockRead) insertEvents(ctx context.Context, tx *Tx, shopID int64) error {
	return r.events.insert(ctx, tx, shopID)
}
