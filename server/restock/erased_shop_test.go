package restock_test

import (
	"context"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestStockJobOfAnErasedShopEndsQuietly: a decision job for a variant of a
// shop erased before it ran ends without error and writes nothing, as a
// settings update that lowered the minimum queues for the variants it
// finds above it once the update committed (wakeForRestocksDuringUpdate),
// which may come after the erase deleted the shop's queued jobs. The
// other shop, restocked alike, is decided on.
func TestStockJobOfAnErasedShopEndsQuietly(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		other, variants := h.restockedBesideAnotherShop()
		h.must(h.db.UninstallShop(ctx, h.shop.ID))
		h.must(h.db.DeleteShop(ctx, h.shop.ID))
		h.clock.Add(time.Hour)
		for _, job := range []stockbell.VariantStockChangedJob{{ShopID: h.shop.ID, VariantID: variants[0]}, {VariantID: variants[0]}} {
			if err := h.engine.HandleStockChanged(ctx, job); err != nil {
				t.Errorf("the erased shop's stock job %+v: %v, want it done", job, err)
			}
		}
		for _, table := range []string{"events", "restock_batches", "messages"} {
			if n := h.count(`SELECT COUNT(*) FROM `+table+` WHERE shop_id = ?`, h.shop.ID); n != 0 {
				t.Errorf("the erased shop's stock job wrote %d rows to %s", n, table)
			}
		}
		h.must(other.engine.HandleStockChanged(ctx, stockbell.VariantStockChangedJob{ShopID: other.shop.ID, VariantID: variants[1]}))
		other.run()
		if n := len(other.notified(variants[1])); n != 2+2 {
			t.Errorf("the other shop notified %d shoppers, want 2 and then 2 more at its wait's end", n)
		}
	})
}

// eraseAfterStateRead is the store with the shop erased once a decision
// read its variant's state, before the decision is applied: an erase the
// decision job meets halfway.
type eraseAfterStateRead struct {
	stockbell.RestockStore
	h *harness
}

func (s eraseAfterStateRead) FindRestockState(ctx context.Context, shopID, variantID int64) (*stockbell.RestockState, error) {
	state, err := s.RestockStore.FindRestockState(ctx, shopID, variantID)
	s.h.must(s.h.db.UninstallShop(ctx, shopID))
	s.h.must(s.h.db.DeleteShop(ctx, shopID))
	return state, err
}

// TestStockJobMeetingTheShopsEraseEndsQuietly: a decision job whose shop
// is erased between the read of its variant's state and the decision's
// write ends without error and writes nothing, as one run after the erase
// does. The write found the variant gone (ENOTFOUND) and the job returned
// it, a failure the queue retried, its next attempt ending quietly.
func TestStockJobMeetingTheShopsEraseEndsQuietly(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		_, variants := h.restockedBesideAnotherShop()
		h.clock.Add(time.Hour)
		engine := *h.engine
		engine.Store = eraseAfterStateRead{RestockStore: h.db, h: h}
		if err := engine.HandleStockChanged(ctx, stockbell.VariantStockChangedJob{ShopID: h.shop.ID, VariantID: variants[0]}); err != nil {
			t.Errorf("the stock job meeting its shop's erase: %v, want it done", err)
		}
		for _, table := range []string{"events", "restock_batches", "messages"} {
			if n := h.count(`SELECT COUNT(*) FROM `+table+` WHERE shop_id = ?`, h.shop.ID); n != 0 {
				t.Errorf("the erased shop's stock job wrote %d rows to %s", n, table)
			}
		}
	})
}
