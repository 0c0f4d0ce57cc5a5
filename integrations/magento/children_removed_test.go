package magento_test

import (
	"testing"

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
