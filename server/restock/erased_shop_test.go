package restock_test

import (
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
