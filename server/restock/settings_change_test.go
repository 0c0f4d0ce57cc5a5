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
		_, variants := h.restockedBesideAnotherShop()
		h.settings(1, 3, time.Hour)
		h.run()
		wantNotified(t, h, variants, 2, 2)
		h.clock.Add(time.Hour)
		h.run()
		wantNotified(t, h, variants, 2+2*3, 2+2)
	})
}

// TestWaitLoweredDuringAWaitAppliesFromTheNextBatch: the wait between
// batches lowered while a batch's wait runs does not shorten that wait:
// a restock when the new, shorter wait would have ended tells nobody
// more, the variant still waits until the end set when the batch started,
// and the batch at that end, sized on the stock then, starts a wait of
// the new length. Another shop, restocked
// alike, keeps its own wait.
func TestWaitLoweredDuringAWaitAppliesFromTheNextBatch(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		other, variants := h.restockedBesideAnotherShop()
		end := h.clock.Now().Add(time.Hour)
		h.settings(1, 1, 10*time.Minute)
		h.clock.Add(10 * time.Minute)
		for _, s := range []*harness{h, other} {
			s.stock("v1", "warehouse", 3) // a decision when the new wait would end
		}
		h.run()
		wantNotified(t, h, variants, 2, 2)
		wantWaitingUntil(t, h, other, variants, end, end)
		h.clock.Add(end.Sub(h.clock.Now()))
		h.run()
		wantNotified(t, h, variants, 2+3, 2+3)
		wantWaitingUntil(t, h, other, variants, end.Add(10*time.Minute), end.Add(time.Hour))
		if other.settingsNow().Wait != time.Hour {
			t.Fatalf("the other shop's wait is %v, want 1h", other.settingsNow().Wait)
		}
	})
}

// restockedBesideAnotherShop has the shop and another one each sell a
// variant one customer per unit, with a wait of an hour, ten shoppers
// waiting; both are restocked with two units and the engine has told two
// of each and started each one's wait. It returns the other shop's
// harness, and the variants, the shop's first.
func (h *harness) restockedBesideAnotherShop() (*harness, [2]int64) {
	h.t.Helper()
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
	return &other, variants
}

// settingsNow is the shop's restock settings as stored.
func (h *harness) settingsNow() *stockbell.RestockSettings {
	h.t.Helper()
	s, err := h.db.FindSettings(ctx, h.shop.ID)
	h.must(err)
	return s
}

// wantWaitingUntil fails unless the shop's variant waits until end and
// the other shop's until otherEnd.
func wantWaitingUntil(t *testing.T, h, other *harness, variants [2]int64, end, otherEnd time.Time) {
	t.Helper()
	got, gotOther := h.waitingUntil(variants[0]), other.waitingUntil(variants[1])
	if got == nil || gotOther == nil || !got.Equal(end) || !gotOther.Equal(otherEnd) {
		t.Fatalf("waiting until %v and the other shop until %v, want %v and %v", got, gotOther, end, otherEnd)
	}
}

// wantNotified fails unless the shop's variant and the other shop's have
// told that many shoppers.
func wantNotified(t *testing.T, h *harness, variants [2]int64, shop, other int) {
	t.Helper()
	if got, gotOther := len(h.notified(variants[0])), len(h.notified(variants[1])); got != shop || gotOther != other {
		t.Fatalf("notified %d and the other shop %d, want %d and %d", got, gotOther, shop, other)
	}
}
