package shopify_test

import (
	"context"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// sweep is the shop's catalog sync of twenty products, synced once, for
// the checks of its sweep: the first product is kept, the second gone.
func (e *env) sweep() storetest.Sweep {
	shop := e.install()
	e.bigCatalog()
	var all []*shopifytest.Product
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) { all = s.Products })
	sync := func() error {
		return e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID})
	}
	must(e.t, sync())
	return storetest.Sweep{DB: e.db, ShopID: shop.ID, Source: shopify.CatalogSource, Sync: sync,
		Empty:    func() { e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products = nil }) },
		KeepOnly: func() { e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products = all[:1] }) },
		Kept:     "8000000000000011", Gone: "8000000000000021"}
}

// TestCatalogSyncOfAnEmptyListing: Shopify listing no variant marks
// nothing deleted and says so in the sync log (storetest.CheckEmptyListing).
func TestCatalogSyncOfAnEmptyListing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { storetest.CheckEmptyListing(t, newEnv(t, db).sweep()) })
}

// TestCatalogSyncSweepFailure: a sweep the database fails under is in the
// sync log, and the job retries (storetest.CheckSweepFailure).
func TestCatalogSyncSweepFailure(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { storetest.CheckSweepFailure(t, newEnv(t, db).sweep()) })
}
