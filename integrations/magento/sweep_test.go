package magento_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// sweep is the store's catalog sync, synced once, for the checks of its
// sweep: the tee is kept, the mug gone.
func (e *jobsEnv) sweep() storetest.Sweep {
	var all []*magentotest.Product
	e.fake.Do(func(f *magentotest.Fake) { all = f.Products })
	return storetest.Sweep{DB: e.db, ShopID: e.shop.ID, Source: magento.CatalogSource,
		Sync:     func() error { return e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}) },
		Empty:    func() { e.fake.Do(func(f *magentotest.Fake) { f.Products = nil }) },
		KeepOnly: func() { e.fake.Do(func(f *magentotest.Fake) { f.Products = all[:1] }) },
		Kept:     "TEE-S", Gone: "MUG"}
}

// TestCatalogSyncOfAnEmptyListing: Magento listing no product marks
// nothing deleted and says so in the sync log (storetest.CheckEmptyListing).
func TestCatalogSyncOfAnEmptyListing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { storetest.CheckEmptyListing(t, newJobsEnv(t, db).sweep()) })
}

// TestCatalogSyncSweepFailure: a sweep the database fails under is in the
// sync log, and the job retries (storetest.CheckSweepFailure).
func TestCatalogSyncSweepFailure(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { storetest.CheckSweepFailure(t, newJobsEnv(t, db).sweep()) })
}
