package magento_test

import (
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestCatalogSyncMarksRemovedChildren: a size removed from a configurable
// product the store still has (no longer among its children) is marked
// deleted by the next catalog sync, its product and the other size left
// alone; linked to the product again, it is revived by the sync after.
func TestCatalogSyncMarksRemovedChildren(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		var small *magentotest.Product
		e.fake.Do(func(f *magentotest.Fake) {
			small, f.Products[0].Children = f.Products[0].Children[0], f.Products[0].Children[1:]
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		if v := e.variant("TEE-S"); !v.VariantDeleted || v.Deleted || v.Notifiable() {
			t.Fatalf("the size removed from the tee = %+v", v)
		}
		if v := e.variant("TEE-M"); v.VariantDeleted || !v.Notifiable() {
			t.Fatalf("the size still listed = %+v", v)
		}

		e.fake.Do(func(f *magentotest.Fake) {
			f.Products[0].Children = append([]*magentotest.Product{small}, f.Products[0].Children...)
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		if v := e.variant("TEE-S"); v.VariantDeleted || !v.Notifiable() {
			t.Fatalf("the size linked again = %+v", v)
		}
	})
}

// TestReconcileSkipsRemovedVariants: the 15-minute stock check reads
// again only the stock of variants that can still be notified: a size
// removed from the tee and a deleted product, each with a shopper
// waiting, are not asked for; the mug, also waited for, is.
func TestReconcileSkipsRemovedVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		for _, sku := range []string{"TEE-S", "MUG", "CAP"} {
			e.subscribe(sku, "ada@example.com")
		}
		e.fake.Do(func(f *magentotest.Fake) {
			f.Products[0].Children = f.Products[0].Children[1:] // TEE-S removed from the tee
			f.Products = f.Products[:2]                         // the cap deleted
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		e.fake.Do(func(f *magentotest.Fake) { clear(f.Requests) })
		e.must(e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}))
		asked := map[string]int{}
		e.fake.Do(func(f *magentotest.Fake) {
			for path, n := range f.Requests {
				for _, sku := range []string{"TEE-S", "MUG", "CAP"} {
					if strings.HasSuffix(path, "/"+sku) {
						asked[sku] += n
					}
				}
			}
		})
		if asked["TEE-S"] != 0 || asked["CAP"] != 0 || asked["MUG"] == 0 {
			t.Fatalf("stock requests by SKU = %v, want the mug's only", asked)
		}
	})
}

// TestCatalogSyncMarksSizesOfATeeTurnedSimple: removing every
// configuration of a configurable product in Magento's admin turns it into
// a simple product (its type transition), with the same id and SKU; the
// next sync lists it as its own one variant and marks its former sizes
// removed, so reconciliation stops reading them.
func TestCatalogSyncMarksSizesOfATeeTurnedSimple(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.fake.Do(func(f *magentotest.Fake) {
			tee := f.Products[0]
			tee.Type, tee.Children, tee.ManageStock, tee.Qty, tee.InStock = "simple", nil, true, 2, true
			tee.UpdatedAt = time.Now()
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		for _, sku := range []string{"TEE-S", "TEE-M"} {
			if v := e.variant(sku); !v.VariantDeleted || v.Notifiable() {
				t.Errorf("%s, a size of the tee turned simple = %+v", sku, v)
			}
		}
		if v := e.variant("TEE"); v.VariantDeleted || !v.Notifiable() || v.Stock != 2 {
			t.Errorf("the tee as its own variant = %+v", v)
		}
	})
}
