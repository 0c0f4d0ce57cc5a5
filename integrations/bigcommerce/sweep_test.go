package bigcommerce_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// sweep is the store's catalog sync, synced once, for the checks of its
// sweep: the shirt is kept, the mug gone.
func (e *env) sweep() storetest.Sweep {
	shop := e.installed()
	var all []*bigcommercetest.Product
	e.fake.Do(storeHash, func(s *bigcommercetest.Store) { all = s.Products })
	return storetest.Sweep{DB: e.db, ShopID: shop.ID, Source: bigcommerce.CatalogSource,
		Sync:     func() error { return e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}) },
		Empty:    func() { e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Products = nil }) },
		KeepOnly: func() { e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Products = all[:1] }) },
		Kept:     itoa(shirtSmall), Gone: itoa(mugVariant)}
}

// TestSyncOfAnEmptyListing: BigCommerce listing no product marks nothing
// deleted and says so in the sync log (storetest.CheckEmptyListing).
func TestSyncOfAnEmptyListing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { storetest.CheckEmptyListing(t, newEnv(t, db).sweep()) })
}

// TestSyncSweepFailure: a sweep the database fails under is in the sync
// log, and the job retries (storetest.CheckSweepFailure).
func TestSyncSweepFailure(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { storetest.CheckSweepFailure(t, newEnv(t, db).sweep()) })
}
