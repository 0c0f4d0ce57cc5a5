package shopify_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/restock/restocktest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// watchedCatalog is the store, calling afterWrite once each stock write
// it was asked for has returned: what a restock decision made at that
// moment would see.
type watchedCatalog struct {
	stockbell.CatalogService
	afterWrite func()
}

func (c watchedCatalog) ApplyStockChange(ctx context.Context, change stockbell.StockChange) (*stockbell.StockResult, error) {
	result, err := c.CatalogService.ApplyStockChange(ctx, change)
	c.afterWrite()
	return result, err
}

func (c watchedCatalog) ApplyStockChanges(ctx context.Context, changes []stockbell.StockChange) ([]stockbell.StockOutcome, error) {
	outcomes, err := c.CatalogService.ApplyStockChanges(ctx, changes)
	c.afterWrite()
	return outcomes, err
}

// TestARemovedLocationNeverCountsWithANewLevel: the Small T-shirt waits
// below the minimum of 3 with 2 units at the warehouse. In Shopify the
// warehouse stops stocking it and the point of sale gets 1 (both webhooks
// missed). A read of the item, by the reconciliation or by the re-read of
// a webhook without a time, applies the point of sale's unit and drops the
// warehouse together: the restock engine, run after every stock write,
// never sees the 3 units that the new unit and the dropped warehouse's 2
// would make, and announces no restock.
func TestARemovedLocationNeverCountsWithANewLevel(t *testing.T) {
	reads := map[string]func(e *env, shop *stockbell.Shop){
		"reconciliation": func(e *env, shop *stockbell.Shop) {
			if err := e.in.Reconcile(context.Background(), stockbell.ShopifyReconcileJob{ShopID: shop.ID}); err != nil {
				e.t.Fatal(err)
			}
		},
		"re-read of a webhook without a time": func(e *env, _ *stockbell.Shop) {
			e.mustSendWithoutTriggeredAt(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate,
				Body: []byte(fmt.Sprintf(`{"inventory_item_id":%d,"location_id":%d,"available":1}`, smallItem, pointOfSale))})
			e.runWebhookJobs()
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop, v := e.smallBelowMinimumAtTheWarehouse()
				e.clock.Advance(time.Minute)
				e.fake.DisconnectLevel(shopDomain, smallItem, warehouse)
				e.fake.SetLevel(shopDomain, smallItem, pointOfSale, 1)
				seen := e.stocksSeenByTheEngine(shop.ID)

				read(e, shop)
				if slices.ContainsFunc(*seen, func(stock int) bool { return stock != 2 && stock != 1 }) {
					t.Errorf("stocks after each write: %v, want only the 2 before the read and the 1 after it", *seen)
				}
				if got, levels := e.variant(shop.ID, smallVariant); got.Stock != 1 || len(levels) != 1 || levels[itoa(pointOfSale)] != 1 {
					t.Fatalf("after the read: stock %d, levels %v, want the point of sale's 1 alone", got.Stock, levels)
				}
				restocktest.WantNotified(t, db, v.ID, 0)
				restocktest.WantSkippedBelowMinimum(t, db, v.ID, 1)
			})
		})
	}
}

// smallBelowMinimumAtTheWarehouse sets the minimum inventory to 3, stocks
// the Small T-shirt with 2 units at the warehouse, syncs the catalog and
// queues Ada for it.
func (e *env) smallBelowMinimumAtTheWarehouse() (*stockbell.Shop, *stockbell.VariantWithProduct) {
	e.t.Helper()
	shop := e.install()
	minimum := 3
	if _, err := e.db.UpdateSettings(context.Background(), shop.ID, stockbell.SettingsUpdate{MinInventory: &minimum}); err != nil {
		e.t.Fatal(err)
	}
	e.stockTShirt()
	e.fake.SetLevel(shopDomain, smallItem, warehouse, 2)
	e.sync(shop.ID)
	v, _ := e.variant(shop.ID, smallVariant)
	e.queueSubscriber(shop.ID, v.ID, "ada@example.com")
	return shop, v
}

// stocksSeenByTheEngine has the integration write stock through a
// watchedCatalog that, after each write, notes the Small T-shirt's stock
// and works the restock engine's jobs, as a worker could at that moment.
func (e *env) stocksSeenByTheEngine(shopID int64) *[]int {
	var seen []int
	e.in.Catalog = watchedCatalog{CatalogService: e.db, afterWrite: func() {
		v, _ := e.variant(shopID, smallVariant)
		seen = append(seen, v.Stock)
		restocktest.Run(e.t, e.db)
	}}
	return &seen
}
