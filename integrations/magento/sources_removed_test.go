package magento_test

import (
	"fmt"
	"slices"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/restock/restocktest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAReconciliationDropsARemovedSource: the warehouse is unassigned from
// the mug in Magento while Stockbell still holds its 2 units, and the shop
// gets 1 back. The reconciliation reads the mug's sources without the
// warehouse: its stock is the shop's 1, below the minimum of 3, so the
// restock is skipped rather than announced off the warehouse's stale
// units. Assigned again with its 2 units, the warehouse counts again and
// the restock is announced.
func TestAReconciliationDropsARemovedSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.waitForTheMug()

		e.sources("MUG", map[string]float64{"shop": 1})
		e.must(e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}))
		e.wantTheShopsUnitAlone("after the warehouse was unassigned and the shop got 1 back")

		e.sources("MUG", map[string]float64{"shop": 1, "warehouse": 2})
		e.must(e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}))
		e.wantStock("MUG", 3, "after the warehouse was assigned again")
		restocktest.Run(t, db)
		e.wantNotified("MUG", 1)
	})
}

// waitForTheMug sets the minimum inventory to 3 and the mug's sources to
// the shop's 0 and the warehouse's 2, syncs the catalog, and queues Ada
// for the mug: her restock is skipped, below the minimum at 2.
func (e *jobsEnv) waitForTheMug() {
	e.t.Helper()
	e.minimum(3)
	e.sources("MUG", map[string]float64{"shop": 0, "warehouse": 2})
	e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
	e.subscribe("MUG", "ada@example.com")
	restocktest.Run(e.t, e.db)
	e.wantSkippedBelowMinimum("MUG", 2)
}

// wantTheShopsUnitAlone fails unless the mug's stock is the shop's 1
// alone, the warehouse's level dropped, and the restock engine then skips
// it below the minimum, notifying nobody.
func (e *jobsEnv) wantTheShopsUnitAlone(when string) {
	e.t.Helper()
	e.wantStock("MUG", 1, when)
	e.wantSources("MUG", "shop")
	restocktest.Run(e.t, e.db)
	e.wantSkippedBelowMinimum("MUG", 1)
	e.wantNotified("MUG", 0)
}

// minimum sets the stock a variant must reach before anyone is notified.
func (e *jobsEnv) minimum(units int) {
	e.t.Helper()
	_, err := e.db.UpdateSettings(ctx, e.shop.ID, stockbell.SettingsUpdate{MinInventory: &units})
	e.must(err)
}

// sources sets the SKU's source items, the store running multi-source
// inventory: a source left out is not assigned to the product.
func (e *jobsEnv) sources(sku string, quantities map[string]float64) {
	e.fake.Do(func(f *magentotest.Fake) {
		f.MSI = true
		for _, p := range f.Products {
			if p.SKU == sku {
				p.Sources = quantities
			}
		}
	})
}

// wantSources fails unless the variant's stored levels are at exactly
// these sources, in order.
func (e *jobsEnv) wantSources(sku string, want ...string) {
	e.t.Helper()
	levels, err := e.db.FindInventoryLevels(ctx, e.shop.ID, e.variant(sku).ID)
	e.must(err)
	var got []string
	for _, l := range levels {
		got = append(got, l.LocationID)
	}
	if !slices.Equal(got, want) {
		e.t.Fatalf("%s's stored sources = %v, want %v", sku, got, want)
	}
}

// wantSkippedBelowMinimum fails unless the variant's latest restock
// decision skipped it below the minimum at this stock.
func (e *jobsEnv) wantSkippedBelowMinimum(sku string, stock int) {
	e.t.Helper()
	restocktest.WantSkippedBelowMinimum(e.t, e.db, e.variant(sku).ID, stock)
}

// wantNotified fails unless n of the variant's subscribers were notified.
func (e *jobsEnv) wantNotified(sku string, n int) {
	e.t.Helper()
	restocktest.WantNotified(e.t, e.db, e.variant(sku).ID, n)
}

// TestARereadDropsARemovedSource: the module posts the shop's unit back
// after the warehouse was unassigned from the mug. The post cannot be
// ordered against the level the catalog sync read (which carries no
// time), so the mug's sources are read again: without the warehouse, the
// stock is the shop's 1 and nobody is told of a restock.
func TestARereadDropsARemovedSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.waitForTheMug()

		e.sources("MUG", map[string]float64{"shop": 1})
		e.post("MUG", "shop", 1)
		e.wantTheShopsUnitAlone("after the shop's post, the warehouse unassigned")
	})
}

// TestACatalogSyncDropsARemovedSource: the catalog sync reads every
// source of a product, so the warehouse unassigned from the mug stops
// counting there too: its removal alone brings the stock from 3 to the
// shop's 1, below the minimum, and a shopper signing up then is not told
// of a restock.
func TestACatalogSyncDropsARemovedSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.minimum(3)
		e.sources("MUG", map[string]float64{"shop": 1, "warehouse": 2})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		e.wantStock("MUG", 3, "after the first sync")

		e.sources("MUG", map[string]float64{"shop": 1})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		e.wantStock("MUG", 1, "after the warehouse was unassigned")
		e.wantSources("MUG", "shop")
		e.subscribe("MUG", "ada@example.com")
		restocktest.Run(t, db)
		e.wantNotified("MUG", 0)
	})
}

// TestADisabledSourceStopsCounting: Magento still lists a disabled
// source's items but counts none of its quantity as salable, so Stockbell
// leaves it out of the reconciliation's and the catalog sync's reads: the
// mug's disabled warehouse (on the second page of the store's sources,
// after the cap's 120) no longer counts its 2 units, and the shop's 1 is
// below the minimum. Enabled again, it counts again.
func TestADisabledSourceStopsCounting(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		capSources := map[string]float64{}
		for i := range 120 {
			capSources[fmt.Sprintf("s%03d", i)] = 0
		}
		e.sources("CAP", capSources)
		e.waitForTheMug()

		e.fake.Do(func(f *magentotest.Fake) { f.DisabledSources = map[string]bool{"warehouse": true} })
		e.sources("MUG", map[string]float64{"shop": 1, "warehouse": 2})
		e.must(e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}))
		e.wantTheShopsUnitAlone("after the warehouse was disabled and the shop got 1 back")
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		e.wantStock("MUG", 1, "after a catalog sync, the warehouse disabled")

		e.fake.Do(func(f *magentotest.Fake) { f.DisabledSources = nil })
		e.must(e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}))
		e.wantStock("MUG", 3, "after the warehouse was enabled again")
		restocktest.Run(t, db)
		e.wantNotified("MUG", 1)
	})
}
