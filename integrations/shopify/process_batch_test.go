package shopify_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// syncedTShirt installs the shop and syncs its catalog: the example
// T-shirt, Small sold out at two locations.
func (e *env) syncedTShirt() *stockbell.Shop {
	shop := e.install()
	e.stockTShirt()
	if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
		e.t.Fatal(err)
	}
	return shop
}

// drainTogether processes every pending receipt in one claim, as one part
// (ProcessReceipts), as the server's drainer does.
func (e *env) drainTogether() {
	if left := e.drainDue(); left != 0 {
		e.t.Fatalf("%d receipts left unprocessed", left)
	}
}

// drainDue runs the receipts' drainer once, as drainTogether does, over
// the receipts due by the test's clock (a failed one is due again after
// its backoff), and returns how many are left pending.
func (e *env) drainDue() int {
	e.t.Helper()
	d := &integrations.Drainer{Registry: e.registry, Logger: slog.New(slog.DiscardHandler), Workers: 1}
	if _, err := d.DrainOnce(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return e.count(`SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`)
}

// TestLevelWebhooksProcessedTogether: a claim of inventory webhooks
// processed together does what they do one at a time. At the warehouse, a
// restock, then an older change (ignored) and one in the restock's second
// with another quantity (read again from Shopify, which holds 9); at the
// point of sale, a level; and a level for an item not yet in the catalog
// (read from the Admin API).
func TestLevelWebhooksProcessedTogether(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		small, _ := e.variant(shop.ID, smallVariant)
		if _, _, err := e.db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: small.ID,
			Email: "waiting@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"}); err != nil {
			t.Fatal(err)
		}
		const newItem, newVariant = int64(55501), int64(55502)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			s.Products = append(s.Products, &shopifytest.Product{ID: 55503, Title: "Cap", Handle: "cap", Status: "ACTIVE", Published: true,
				UpdatedAt: e.clock.Now().Add(-time.Hour), Variants: []*shopifytest.Variant{{ID: newVariant, Title: "One size", Price: "9.00",
					Policy: "DENY", InventoryItemID: newItem, Tracked: true, Levels: []shopifytest.Level{{LocationID: warehouse}}}}})
		})
		e.fake.SetLevel(shopDomain, newItem, warehouse, 5)
		e.fake.SetLevel(shopDomain, smallItem, warehouse, 9)
		e.fake.SetLevel(shopDomain, smallItem, pointOfSale, 2)
		jobsBefore := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = 'variant_stock_changed'`)
		e.clock.Advance(time.Minute)
		at := e.clock.Now()
		for _, w := range []shopifytest.Webhook{
			{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 3, at)},
			{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 1, at.Add(-10*time.Second))},
			{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, pointOfSale, 2, at)},
			{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(newItem, warehouse, 5, at)},
			{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 4, at)},
		} {
			e.mustSend(w)
		}
		e.drainTogether()
		v, levels := e.variant(shop.ID, smallVariant)
		if v.Stock != 11 || levels[itoa(warehouse)] != 9 || levels[itoa(pointOfSale)] != 2 {
			t.Fatalf("small: stock %d, levels %v; want 9 read again at the warehouse and 2 at the point of sale", v.Stock, levels)
		}
		if cap, levels := e.variant(shop.ID, newVariant); cap.Stock != 5 || cap.ProductTitle != "Cap" || levels[itoa(warehouse)] != 5 {
			t.Fatalf("new item: %+v, levels %v", cap.Variant, levels)
		}
		kinds := map[stockbell.EventKind]int{}
		events, _, err := e.db.FindEvents(context.Background(), stockbell.EventFilter{ShopID: &shop.ID, VariantID: &small.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			kinds[ev.Kind]++
		}
		if kinds[stockbell.EventStockChangeIgnored] != 1 || kinds[stockbell.EventStockChangeReread] != 1 || kinds[stockbell.EventStockChanged] != 3 {
			t.Fatalf("small's events %v: want one ignored, one re-read and three changes (warehouse, point of sale, the re-read)", kinds)
		}
		if n := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = 'variant_stock_changed'`) - jobsBefore; n != 3 {
			t.Fatalf("%d stock-changed jobs queued, want one per applied change of the awaited variant", n)
		}
	})
}

// batchlessCatalog is the real store whose batch application fails, as
// when its transaction meets an error the single changes would not.
type batchlessCatalog struct{ *store.DB }

func (batchlessCatalog) ApplyStockChanges(context.Context, []stockbell.StockChange) ([]stockbell.StockOutcome, error) {
	return nil, errors.New("batch transaction failed")
}

// TestLevelWebhooksFallBackToOneAtATime: when the batch fails as a whole,
// each of its receipts is processed alone, and nothing is left undone.
func TestLevelWebhooksFallBackToOneAtATime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		e.in.Catalog = batchlessCatalog{db}
		e.clock.Advance(time.Minute)
		at := e.clock.Now()
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 3, at)})
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, pointOfSale, 2, at)})
		e.drainTogether()
		if v, levels := e.variant(shop.ID, smallVariant); v.Stock != 5 || levels[itoa(warehouse)] != 3 || levels[itoa(pointOfSale)] != 2 {
			t.Fatalf("after the batch failed: stock %d, levels %v; want each change applied alone", v.Stock, levels)
		}
	})
}

// processClaimed claims every pending receipt and processes them together,
// asking mayStart as the drainer would.
func (e *env) processClaimed(mayStart func() bool) []error {
	rcs, err := e.db.ClaimReceipts(context.Background(), 100, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.in.ProcessReceipts(context.Background(), rcs, mayStart)
}

// TestLevelWebhooksNotStartedLate: receipts whose claim may no longer
// start anything (its lease half over) are returned unstarted, and nothing
// of theirs is applied; a batch started in time is settled in full (the
// re-read of a same-second change) even once starting is no longer allowed.
func TestLevelWebhooksNotStartedLate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		e.fake.SetLevel(shopDomain, smallItem, warehouse, 9)
		e.fake.SetLevel(shopDomain, smallItem, pointOfSale, 2)
		e.clock.Advance(time.Minute)
		at := e.clock.Now()
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 3, at)})
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 4, at)})
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, pointOfSale, 2, at)})
		for i, err := range e.processClaimed(func() bool { return false }) {
			if !errors.Is(err, stockbell.ErrReceiptUnstarted) {
				t.Fatalf("receipt %d: %v, want it unstarted", i, err)
			}
		}
		if v, _ := e.variant(shop.ID, smallVariant); v.Stock != 0 {
			t.Fatalf("stock %d after nothing was started, want 0", v.Stock)
		}
		db.DB.MustExec(`UPDATE webhook_receipts SET locked_until = NULL`) // released, as the drainer does
		asked := 0
		for i, err := range e.processClaimed(func() bool { asked++; return asked == 1 }) {
			if err != nil {
				t.Fatalf("receipt %d: %v, want the batch started in time done", i, err)
			}
		}
		if v, levels := e.variant(shop.ID, smallVariant); v.Stock != 11 || levels[itoa(warehouse)] != 9 || levels[itoa(pointOfSale)] != 2 {
			t.Fatalf("stock %d, levels %v; want the warehouse read again (9) and the point of sale's 2", v.Stock, levels)
		}
	})
}
