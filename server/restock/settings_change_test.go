package restock_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestPerUnitRaisedDuringAWaitSizesTheNextBatch: customers per unit raised
// while a batch's wait runs tells nobody more before the wait ends (it
// holds the shoppers left, as it holds a restock's), and the batch at its
// end is sized on the new number, stock counted then. A decision that read
// the old number as the update was saved sized its batch as one made just
// before it, and the next wait's end reads the new one. Another shop,
// restocked alike, keeps its own number.
func TestPerUnitRaisedDuringAWaitSizesTheNextBatch(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		other := *h
		shop, err := h.db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "other.myshopify.com", Name: "Other"})
		h.must(err)
		other.shop = shop
		var variants [2]int64
		for i, s := range []*harness{h, &other} {
			s.settings(1, 1, time.Hour)
			variants[i] = s.variant("v1")
			s.subscribe(variants[i], 10, "shopper")
			s.stock("v1", "warehouse", 2)
		}
		h.run()
		h.settings(1, 3, time.Hour)
		h.run()
		wantNotified(t, h, variants, 2, 2)
		h.clock.Add(time.Hour)
		h.run()
		wantNotified(t, h, variants, 2+2*3, 2+2)
	})
}

// wantNotified fails unless the shop's variant and the other shop's have
// told that many shoppers.
func wantNotified(t *testing.T, h *harness, variants [2]int64, shop, other int) {
	t.Helper()
	if got, gotOther := len(h.notified(variants[0])), len(h.notified(variants[1])); got != shop || gotOther != other {
		t.Fatalf("notified %d and the other shop %d, want %d and %d", got, gotOther, shop, other)
	}
}
