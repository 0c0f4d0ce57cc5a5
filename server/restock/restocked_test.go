package restock_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestRestockedCountsComebacksNotBatches: Reports' "Restocked
// (notifications started)" counts the times a variant came back and
// Stockbell started telling the shoppers waiting for it (docs/reports.md),
// apart from its batches. A follow-up batch at a wait's end, the item
// still in stock since, and a batch for shoppers who joined the queue
// while it was in stock (a sign-up confirmed after the restock, say) are
// batches, not restocks; once the item sells out and comes back, the next
// batch is a restock again.
func TestRestockedCountsComebacksNotBatches(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v, _ := h.batchTakingEveryone(time.Hour)
		h.subscribe(v, 1, "during-the-wait") // the item still in stock
		h.clock.Add(time.Hour)
		h.run()
		h.wantRestockedAndBatches(v, 1, 2)

		h.settings(1, 0, time.Hour) // everyone at once, after the wait the last batch started
		h.clock.Add(time.Hour)
		h.subscribe(v, 1, "joined-in-stock")
		h.run()
		h.wantRestockedAndBatches(v, 1, 3)

		h.stock("v1", "warehouse", 0)
		h.subscribe(v, 1, "after-the-sell-out")
		h.stock("v1", "warehouse", 2)
		h.run()
		h.wantRestockedAndBatches(v, 2, 4)
	})
}

// wantRestockedAndBatches fails unless the variant has that many restocked
// events and at least that many batch_started events.
func (h *harness) wantRestockedAndBatches(variantID int64, restocked, batches int) {
	h.t.Helper()
	gotRestocked, gotBatches := len(h.events(variantID, stockbell.EventRestocked)), len(h.events(variantID, stockbell.EventBatchStarted))
	if gotRestocked != restocked || gotBatches < batches {
		h.t.Fatalf("%d restocked events and %d batches, want %d and at least %d", gotRestocked, gotBatches, restocked, batches)
	}
}

// TestRestockedCountsCatalogComebacks: a variant whose stock arrives by
// product upserts (BigCommerce's, Magento's and PrestaShop's product
// webhooks and catalog syncs) that sells out and comes back again is
// restocked again, as one whose stock arrives by inventory webhooks is.
func TestRestockedCountsCatalogComebacks(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.settings(1, 0, time.Hour) // everyone at once: no wait follows
		v := h.variant("v1")
		h.subscribe(v, 1, "first")
		h.catalogStock("v1", 2)
		h.run()
		h.wantRestockedAndBatches(v, 1, 1)

		h.catalogStock("v1", 0)
		h.subscribe(v, 1, "after-the-sell-out")
		h.catalogStock("v1", 2)
		h.run()
		h.wantRestockedAndBatches(v, 2, 2)
	})
}

// catalogStock upserts the variant's product as h.variant made it, read
// with the stock at its warehouse at the clock's time, as a platform's
// product webhook does, and moves the clock on a second.
func (h *harness) catalogStock(platformID string, available int) {
	h.t.Helper()
	_, err := h.db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: h.shop.ID, PlatformID: "p-" + platformID,
		Title: "Lamp " + platformID, Published: true, Source: "bigcommerce:webhook", Variants: []stockbell.VariantUpsert{{
			PlatformID: platformID, InventoryItemID: "inv-" + platformID, Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "warehouse", Available: available, UpdatedAt: h.clock.Now()}}}}})
	h.must(err)
	h.clock.Add(time.Second)
}
