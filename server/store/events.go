package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.EventService = (*DB)(nil)

const eventColumns = `id, shop_id, kind, variant_id, subscription_id, detail, created_at`

// FindEvents returns the matching events, newest first, and the total count.
func (db *DB) FindEvents(ctx context.Context, filter stockbell.EventFilter) ([]*stockbell.Event, int, error) {
	w, err := shopScope("shop_id", filter.ShopID)
	if err != nil {
		return nil, 0, err
	}
	if filter.VariantID != nil {
		w.add("variant_id = ?", *filter.VariantID)
	}
	if filter.SubscriptionID != nil {
		w.add("subscription_id = ?", *filter.SubscriptionID)
	}
	if filter.Kind != nil {
		w.add("kind = ?", *filter.Kind)
	}
	if filter.Since != nil {
		w.add("created_at >= ?", filter.Since.UTC())
	}
	events := []*stockbell.Event{}
	var total int
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT COUNT(*) FROM events`+w.String()), w.args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &events, tx.Rebind(`SELECT `+eventColumns+` FROM events`+w.String()+
			` ORDER BY created_at DESC, id DESC`+page(filter.Offset, filter.Limit)), w.args...)
	})
	return events, total, err
}
