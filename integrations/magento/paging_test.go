package magento_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestCatalogSyncSurvivesADeletionBetweenPages: a product deleted in
// Magento while a catalog sync pages through a catalog of more than one
// page (at the shipped page size) must not shift a still existing product
// out of the listing, where the sync would mark it deleted and its
// subscribers would never be notified. The deleted product itself is
// marked by the next complete sync.
func TestCatalogSyncSurvivesADeletionBetweenPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		count := magento.PageSize + magento.PageSize/2
		hour := time.Now().Add(-time.Hour)
		e.fake.Do(func(f *magentotest.Fake) {
			f.Products = nil
			for i := 1; i <= count; i++ {
				f.Products = append(f.Products, &magentotest.Product{ID: int64(100 + i), SKU: fmt.Sprintf("SKU-%03d", i),
					Name: fmt.Sprintf("Product %d", i), Type: "simple", Visibility: 4, Status: 1, Price: 5, ManageStock: true, UpdatedAt: hour})
			}
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))

		pages := 0
		e.fake.Do(func(f *magentotest.Fake) {
			f.BeforeProductPage = func(f *magentotest.Fake) {
				if pages++; pages == 2 { // the merchant deletes a product of the first page
					f.Products = slices.Delete(f.Products, 9, 10)
				}
			}
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		if pages < 2 {
			t.Fatalf("the sync read %d page(s), want at least 2", pages)
		}
		for i := 1; i <= count; i++ {
			if v := e.variant(fmt.Sprintf("SKU-%03d", i)); v.Deleted && i != 10 {
				t.Errorf("SKU-%03d, still in the store, was marked deleted", i)
			}
		}

		e.fake.Do(func(f *magentotest.Fake) { f.BeforeProductPage = nil })
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		if v := e.variant("SKU-010"); !v.Deleted {
			t.Fatal("the next complete sync did not mark the deleted product")
		}
	})
}
