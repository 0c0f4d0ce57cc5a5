package shopify_test

import (
	"context"
	"strings"
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

// TestCatalogSyncVariantSweepFailure: the sweep of the variants a sync no
// longer lists, run after the products', is recorded in the sync log as a
// failed sync when the database fails under it, on the banner too, and
// fails the job, which retries it: the variant removed in Shopify keeps
// its shoppers until the next sync marks it deleted and ends the failure.
func TestCatalogSyncVariantSweepFailure(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		sync := func() error {
			return e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID})
		}
		must(t, sync())
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			shirt := s.Products[len(s.Products)-1]
			shirt.Variants = shirt.Variants[1:] // the small size removed
		})
		allow := storetest.RefuseVariantDeletes(t, db)
		if err := sync(); err == nil {
			t.Fatal("a sync whose variant sweep failed ended its job without an error: it would not be retried")
		}
		if small, _ := e.variant(shop.ID, smallVariant); small.VariantDeleted {
			t.Fatalf("the small size after a refused sweep = %+v", small)
		}
		log, banner := storetest.SyncLog(t, db, shop.ID, shopify.CatalogSource)
		if log[0].Kind != stockbell.EventSyncFailed || !strings.Contains(log[0].Reason, "could not be marked deleted") || banner != log[0].Reason {
			t.Fatalf("after a failed variant sweep the sync log = %+v, banner %q; want a failure saying what could not be marked, on the banner", log, banner)
		}
		allow()
		must(t, sync())
		if small, _ := e.variant(shop.ID, smallVariant); !small.VariantDeleted || small.Notifiable() {
			t.Fatalf("the small size after the next sync = %+v", small)
		}
		if log, banner = storetest.SyncLog(t, db, shop.ID, shopify.CatalogSource); log[0].Kind != stockbell.EventSyncFinished || banner != "" {
			t.Fatalf("after the next sync the sync log = %+v, banner %q; want it finished, with no banner", log, banner)
		}
	})
}
