package store_test

import (
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// lampUpsert is a BigCommerce-like product of one tracked variant with
// its stock at the default location, as a product webhook's read of the
// platform lists it.
func lampUpsert(shopID int64, available int, at time.Time) stockbell.ProductUpsert {
	return stockbell.ProductUpsert{ShopID: shopID, PlatformID: "167", Title: "Lamp", Published: true, Source: "bigcommerce:webhook",
		Variants: []stockbell.VariantUpsert{{PlatformID: "509", Title: "Small", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{Available: available, UpdatedAt: at}}}}}
}

// stockChangedEvents returns the shop's stock_changed events, newest first.
func stockChangedEvents(t *testing.T, db *store.DB, shopID int64) []*stockbell.Event {
	t.Helper()
	kind := stockbell.EventStockChanged
	events, _, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shopID, Kind: &kind})
	must(t, err)
	return events
}

// TestCatalogRestockIsAStockChange: stock that comes back through a
// product upsert (BigCommerce's, Magento's and PrestaShop's product
// webhooks and catalog syncs) is recorded as a stock_changed event, as a
// Shopify inventory webhook's is, so that what reads those events sees
// it: the dashboard's restocks, the Products page's last restock and the
// subscriber's timeline. The event is the shop's only; an upsert that
// leaves the stock as it was records none.
func TestCatalogRestockIsAStockChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		other := install(t, db, stockbell.PlatformBigCommerce, "stores/def456")
		_, err := db.UpsertProduct(ctx, lampUpsert(shop.ID, 0, clock.Now()))
		must(t, err)
		lamp := variant(t, db, shop.ID, "509")
		sub, _ := subscribe(t, db, shop.ID, lamp.ID, "ann@example.com", "")

		clock.Add(time.Hour)
		_, err = db.UpsertProduct(ctx, lampUpsert(shop.ID, 5, clock.Now()))
		must(t, err)
		events := stockChangedEvents(t, db, shop.ID)
		if len(events) != 1 || *events[0].VariantID != lamp.ID || !events[0].CreatedAt.Equal(clock.Now()) {
			t.Errorf("stock_changed events after the restock = %+v, want one of the lamp now", events)
		} else if d := detailOf(t, events[0]); d["old_stock"] != 0.0 || d["new_stock"] != 5.0 || d["source"] != "bigcommerce:webhook" ||
			d["location_id"] != stockbell.DefaultLocation || d["available"] != 5.0 {
			t.Errorf("detail = %v", d)
		}

		days, err := db.DailyActivity(ctx, shop.ID, clock.Now(), clock.Now())
		must(t, err)
		if len(days) != 1 || days[0].Restocks != 1 {
			t.Errorf("the dashboard's day = %+v, want 1 restock", days)
		}
		demand, _, err := db.FindDemand(ctx, stockbell.DemandFilter{ShopID: shop.ID})
		must(t, err)
		if len(demand) != 1 || demand[0].LastRestockAt == nil || !demand[0].LastRestockAt.Equal(clock.Now()) {
			t.Errorf("the Products page's demand = %+v, want the lamp restocked now", demand)
		}
		tl, err := db.FindSubscriberTimeline(ctx, shop.ID, sub.ID)
		must(t, err)
		if !hasEventOf(tl.Events, stockbell.EventStockChanged) {
			t.Errorf("the subscriber's timeline has no stock line: %+v", tl.Events)
		}

		clock.Add(time.Hour)
		_, err = db.UpsertProduct(ctx, lampUpsert(shop.ID, 5, clock.Now()))
		must(t, err)
		if events := stockChangedEvents(t, db, shop.ID); len(events) != 1 {
			t.Errorf("after an upsert of the same stock, %d stock changes, want the restock's only", len(events))
		}
		if events := stockChangedEvents(t, db, other.ID); len(events) != 0 {
			t.Errorf("the other shop sees %d stock changes", len(events))
		}
		days, err = db.DailyActivity(ctx, other.ID, clock.Now(), clock.Now())
		must(t, err)
		if days[0].Restocks != 0 {
			t.Errorf("the other shop's dashboard counts %d restocks", days[0].Restocks)
		}
	})
}

func hasEventOf(events []*stockbell.Event, kind stockbell.EventKind) bool {
	for _, e := range events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

// TestCatalogSyncRecordsOnlyChangedStocks: a catalog sync of 10,000
// variants, each product read as a whole, records a stock_changed event
// for the one variant whose stock changed and none for the others, nor
// for any variant the first sync created.
func TestCatalogSyncRecordsOnlyChangedStocks(t *testing.T) {
	const products, perProduct = 100, 100
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformMagento, "magento.example")
		sync := func(changed string) {
			t.Helper()
			for p := range products {
				up := stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: fmt.Sprint("p", p), Title: "Bell", Published: true,
					AllVariants: true, UpdatedAt: clock.Now(), Source: "magento:catalog"}
				for v := range perProduct {
					id, available := fmt.Sprint("v", p*perProduct+v), 3
					if id == changed {
						available = 0
					}
					up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: id, Tracked: true,
						Levels: []stockbell.LocationLevel{{Available: available, UpdatedAt: clock.Now()}}})
				}
				_, err := db.UpsertProduct(ctx, up)
				must(t, err)
			}
		}
		sync("")
		if events := stockChangedEvents(t, db, shop.ID); len(events) != 0 {
			t.Fatalf("the first sync recorded %d stock changes of new variants", len(events))
		}
		clock.Add(time.Hour)
		sync("v4242")
		events := stockChangedEvents(t, db, shop.ID)
		if len(events) != 1 || *events[0].VariantID != variant(t, db, shop.ID, "v4242").ID {
			t.Fatalf("the second sync recorded %d stock changes, want the sold-out v4242's only", len(events))
		}
		if d := detailOf(t, events[0]); d["old_stock"] != 3.0 || d["new_stock"] != 0.0 || d["source"] != "magento:catalog" {
			t.Errorf("detail = %v", d)
		}
	})
}

// TestCatalogStockChangeNamesItsLocations: the stock_changed event of an
// upsert whose read changed one location's level names it, as an
// inventory webhook's does; one whose read changed several lists them.
// A stale upsert's levels, still ordered one by one, record their change
// too; levels that move without changing the stock record none.
func TestCatalogStockChangeNamesItsLocations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, up, s, _ := subscribedShirt(t, db)
		reread := func(paris, lyon int, updatedAt time.Time) map[string]any {
			t.Helper()
			clock.Add(time.Minute)
			up.UpdatedAt = updatedAt
			up.Variants[0].Levels = []stockbell.LocationLevel{{LocationID: "paris", Available: paris}, {LocationID: "lyon", Available: lyon}}
			_, err := db.UpsertProduct(ctx, up)
			must(t, err)
			events := stockChangedEvents(t, db, shop.ID)
			if len(events) == 0 || *events[0].VariantID != s.ID {
				t.Fatalf("no stock change of S recorded: %+v", events)
			}
			return detailOf(t, events[0])
		}
		if d := reread(0, 3, clock.Now()); d["location_id"] != "paris" || d["available"] != 0.0 || d["old_stock"] != 5.0 || d["new_stock"] != 3.0 {
			t.Errorf("one location's change: %v", d)
		}
		d := reread(4, 1, clock.Now())
		if locs, _ := d["locations"].([]any); len(locs) != 2 || locs[0] != "paris" || locs[1] != "lyon" || d["old_stock"] != 3.0 || d["new_stock"] != 5.0 {
			t.Errorf("two locations' change: %v", d)
		}
		if d := reread(4, 0, clock.Now().Add(-24*time.Hour)); d["location_id"] != "lyon" || d["new_stock"] != 4.0 {
			t.Errorf("a stale upsert's change: %v", d)
		}
		reread(0, 4, clock.Now()) // both levels change, the stock stays 4
		if n := len(stockChangedEvents(t, db, shop.ID)); n != 3 {
			t.Errorf("%d stock changes recorded, want 3: levels moved without changing the stock record none", n)
		}
		if s := variant(t, db, shop.ID, s.PlatformID); s.Stock != 4 {
			t.Errorf("S's stock = %d, want 4", s.Stock)
		}
	})
}
