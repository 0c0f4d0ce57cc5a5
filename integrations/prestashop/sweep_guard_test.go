package prestashop_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// sweep is the shop's catalog sync, synced once, for the checks of its
// sweep: the T-shirt is kept, the mug gone.
func (e *env) sweep() storetest.Sweep {
	shop, _ := e.connected()
	var all []*prestashoptest.Product
	e.fake.Do(func(s *prestashoptest.Shop) { all = s.Products })
	return storetest.Sweep{DB: e.db, ShopID: shop.ID, Source: prestashop.CatalogSource,
		Sync:     func() error { return e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}) },
		Empty:    func() { e.fake.Do(func(s *prestashoptest.Shop) { s.Products = nil }) },
		KeepOnly: func() { e.fake.Do(func(s *prestashoptest.Shop) { s.Products = all[:1] }) },
		Kept:     stockbell.PrestaShopVariantID(shirtID, shirtSmall), Gone: stockbell.PrestaShopVariantID(mugID, 0)}
}

// TestCatalogSyncOfAnEmptyListing: the webservice listing no product
// marks nothing deleted and says so in the sync log
// (storetest.CheckEmptyListing).
func TestCatalogSyncOfAnEmptyListing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { storetest.CheckEmptyListing(t, newEnv(t, db).sweep()) })
}

// TestCatalogSyncSweepFailure: a sweep the database fails under is in the
// sync log, and the job retries (storetest.CheckSweepFailure).
func TestCatalogSyncSweepFailure(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { storetest.CheckSweepFailure(t, newEnv(t, db).sweep()) })
}
