package store_test

import (
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// The locations of the disconnect tests' variant v1.
const (
	warehouse   = "warehouse"
	pointOfSale = "point-of-sale"
)

// stockedAtTheWarehouse sets up v1 with 2 units at the warehouse and none
// at the point of sale, pushed an hour before platformT, with a shopper
// waiting for it.
func stockedAtTheWarehouse(t *testing.T, db *store.DB) (*stockbell.Shop, *stockbell.VariantWithProduct) {
	t.Helper()
	useClock(db)
	shop, v := awaitedSoldOut(t, db)
	for location, available := range map[string]int{warehouse: 2, pointOfSale: 0} {
		c := push(shop.ID, available, platformT.Add(-time.Hour))
		c.LocationID = location
		apply(t, db, c)
	}
	if got := variant(t, db, shop.ID, "v1"); got.Stock != 2 {
		t.Fatalf("stock before the disconnect = %d, want 2", got.Stock)
	}
	return shop, v
}

// warehouseDisconnects are the ways the warehouse stops stocking v1: the
// platform pushes the disconnect at platformT, or a read of the platform
// no longer lists the warehouse (a Magento source or a BigCommerce
// location unassigned).
var warehouseDisconnects = map[string]func(t *testing.T, db *store.DB, shopID int64){
	"pushed disconnect": func(t *testing.T, db *store.DB, shopID int64) {
		c := push(shopID, 0, platformT)
		c.LocationID, c.Disconnected = warehouse, true
		apply(t, db, c)
	},
	"read no longer listing it": func(t *testing.T, db *store.DB, shopID int64) {
		read, err := db.BeginStockRead(ctx)
		must(t, err)
		applyRead(t, db, shopID, read, []stockbell.LocationLevel{{LocationID: pointOfSale, UpdatedAt: platformT}})
	},
}

// applyRead applies a read's levels of v1 as its complete set of locations
// (stockbell.ReadLevelChanges), as a reconciliation does.
func applyRead(t *testing.T, db *store.DB, shopID int64, read stockbell.StockRead, levels []stockbell.LocationLevel) []stockbell.StockOutcome {
	t.Helper()
	v := variant(t, db, shopID, "v1")
	stored, err := db.FindInventoryLevels(ctx, shopID, v.ID)
	must(t, err)
	base := stockbell.StockChange{ShopID: shopID, VariantPlatformID: "v1", Read: &read, Source: "test:reconcile"}
	outcomes, err := db.ApplyStockChanges(ctx, stockbell.ReadLevelChanges(base, levels, stored))
	must(t, err)
	return outcomes
}

// staleReads apply a read that began before the disconnect and still
// lists the warehouse's 2 units, by each way reads reach the store.
var staleReads = map[string]func(t *testing.T, db *store.DB, shopID int64, read stockbell.StockRead){
	"re-read of the level": func(t *testing.T, db *store.DB, shopID int64, read stockbell.StockRead) {
		c := push(shopID, 2, platformT.Add(-time.Hour))
		c.LocationID, c.Read, c.Source = warehouse, &read, "test:reread"
		apply(t, db, c)
	},
	"reconciliation": func(t *testing.T, db *store.DB, shopID int64, read stockbell.StockRead) {
		applyRead(t, db, shopID, read, []stockbell.LocationLevel{
			{LocationID: warehouse, Available: 2, UpdatedAt: platformT.Add(-time.Hour)},
			{LocationID: pointOfSale, UpdatedAt: platformT.Add(-time.Hour)}})
	},
	"catalog sync": func(t *testing.T, db *store.DB, shopID int64, read stockbell.StockRead) {
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shopID, PlatformID: "p1", Title: "Product p1", Published: true,
			Read: &read, Source: "test:sync", Variants: []stockbell.VariantUpsert{{PlatformID: "v1", InventoryItemID: "inv-v1",
				Title: "Variant v1", Tracked: true, Levels: []stockbell.LocationLevel{
					{LocationID: warehouse, Available: 2, UpdatedAt: platformT.Add(-time.Hour)},
					{LocationID: pointOfSale, UpdatedAt: platformT.Add(-time.Hour)}}}}})
		must(t, err)
	},
}

// TestAStaleReadDoesNotBringBackADisconnectedLocation: a read begins while
// the warehouse still stocks v1's 2 units; the warehouse is disconnected
// (v1 sold out), then the read is applied. It does not count the
// warehouse again, so no restock is announced to the waiting shopper and
// the activity log says why. A read begun after the disconnect that lists
// the warehouse again counts it.
func TestAStaleReadDoesNotBringBackADisconnectedLocation(t *testing.T) {
	for disconnectName, disconnect := range warehouseDisconnects {
		for readName, staleRead := range staleReads {
			t.Run(disconnectName+", "+readName, func(t *testing.T) {
				storetest.Run(t, func(t *testing.T, db *store.DB) {
					shop, v := stockedAtTheWarehouse(t, db)
					inFlight, err := db.BeginStockRead(ctx)
					must(t, err)
					disconnect(t, db, shop.ID)
					wantStockAtThePointOfSaleAlone(t, db, v, 0)
					jobs := stockJobs(t, db)[v.ID]

					staleRead(t, db, shop.ID, inFlight)
					wantStockAtThePointOfSaleAlone(t, db, v, 0)
					if got := stockJobs(t, db)[v.ID]; got != jobs {
						t.Fatalf("stock jobs for v1 = %d, want still %d: the stale read woke the restock engine", got, jobs)
					}
					wantIgnoredBecauseDisconnected(t, db, v)

					later, err := db.BeginStockRead(ctx)
					must(t, err)
					staleRead(t, db, shop.ID, later)
					if got := variant(t, db, shop.ID, "v1"); got.Stock != 2 {
						t.Fatalf("stock after a read begun after the disconnect = %d, want the warehouse's 2 again", got.Stock)
					}
				})
			})
		}
	}
}

// latePushes apply the warehouse's update to 5 units, pushed at a
// platform time before the disconnect, singly and in a batch.
var latePushes = map[string]func(t *testing.T, db *store.DB, c stockbell.StockChange) *stockbell.StockResult{
	"alone": apply,
	"in a batch": func(t *testing.T, db *store.DB, c stockbell.StockChange) *stockbell.StockResult {
		outcomes, err := db.ApplyStockChanges(ctx, []stockbell.StockChange{c})
		must(t, err)
		must(t, outcomes[0].Err)
		return outcomes[0].Result
	},
}

// TestALatePushDoesNotBringBackADisconnectedLocation: the warehouse's
// update from before its disconnect is delivered after it. Against a
// pushed disconnect it is ignored as older; against a read's disconnect,
// which carries no platform time, it is read again. Either way v1 stays
// sold out. An update newer than the pushed disconnect connects the
// warehouse again.
func TestALatePushDoesNotBringBackADisconnectedLocation(t *testing.T) {
	for name, latePush := range latePushes {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				shop, v := stockedAtTheWarehouse(t, db)
				warehouseDisconnects["pushed disconnect"](t, db, shop.ID)
				late := push(shop.ID, 5, platformT.Add(-10*time.Second))
				late.LocationID = warehouse

				r := latePush(t, db, late)
				if r.Applied || r.Reread || !strings.Contains(r.Reason, "disconnected") {
					t.Fatalf("late update = %+v, want it ignored as older than the disconnect", r)
				}
				wantStockAtThePointOfSaleAlone(t, db, v, 0)
				wantIgnoredBecauseDisconnected(t, db, v)

				newer := late
				newer.Available, newer.At = 4, platformT.Add(time.Second)
				if r := latePush(t, db, newer); !r.Applied || r.NewStock != 4 {
					t.Fatalf("update after the disconnect = %+v, want the warehouse's 4 counted", r)
				}
			})
		})
		t.Run(name+" after a read's disconnect", func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				shop, v := stockedAtTheWarehouse(t, db)
				warehouseDisconnects["read no longer listing it"](t, db, shop.ID)
				late := push(shop.ID, 5, platformT.Add(-10*time.Second))
				late.LocationID = warehouse

				if r := latePush(t, db, late); r.Applied || !r.Reread {
					t.Fatalf("late update = %+v, want it read again", r)
				}
				wantStockAtThePointOfSaleAlone(t, db, v, 0)
			})
		})
	}
}

// wantStockAtThePointOfSaleAlone fails unless v1's stock and its listed
// levels are the point of sale's alone.
func wantStockAtThePointOfSaleAlone(t *testing.T, db *store.DB, v *stockbell.VariantWithProduct, available int) {
	t.Helper()
	if got := variant(t, db, v.ShopID, "v1"); got.Stock != available {
		t.Fatalf("stock = %d, want the point of sale's %d alone", got.Stock, available)
	}
	levels, err := db.FindInventoryLevels(ctx, v.ShopID, v.ID)
	must(t, err)
	if len(levels) != 1 || levels[0].LocationID != pointOfSale || levels[0].Available != available {
		t.Fatalf("levels = %+v, want the point of sale's %d alone", levels, available)
	}
}

// wantIgnoredBecauseDisconnected fails unless v1's latest ignored change
// names the warehouse and says it was disconnected.
func wantIgnoredBecauseDisconnected(t *testing.T, db *store.DB, v *stockbell.VariantWithProduct) {
	t.Helper()
	ignored := eventDetails(t, db, v, stockbell.EventStockChangeIgnored)
	if len(ignored) == 0 {
		t.Fatal("no ignored change recorded")
	}
	last := ignored[len(ignored)-1]
	if reason, _ := last["reason"].(string); last["location_id"] != warehouse || !strings.Contains(reason, "disconnected") {
		t.Fatalf("ignored change = %v, want the warehouse's, ignored because it was disconnected", last)
	}
}
