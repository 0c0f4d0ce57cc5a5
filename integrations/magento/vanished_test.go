package magento_test

import (
	"slices"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestCatalogSyncGoesOnPastAProductDeletedMidSync: products deleted in
// Magento after the sync listed them, before it read their stock (which
// Magento then answers 404), do not fail the sync. The mug, deleted, is
// marked deleted as a product the listing lacked would be; the tee's
// small size, deleted from the tee, is left alone as a size the tee no
// longer lists is; the other products are read as usual.
func TestCatalogSyncGoesOnPastAProductDeletedMidSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.fake.Do(func(f *magentotest.Fake) {
			f.Products[0].Children[1].Qty = 9                  // TEE-M
			f.Products[2].Qty, f.Products[2].InStock = 7, true // CAP
			f.BeforeStockItem = func(f *magentotest.Fake, sku string) {
				switch sku {
				case "MUG":
					f.Products = slices.DeleteFunc(f.Products, func(p *magentotest.Product) bool { return p.SKU == "MUG" })
				case "TEE-S":
					f.Products[0].Children = f.Products[0].Children[1:]
				}
			}
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		if v := e.variant("MUG"); !v.Deleted {
			t.Fatalf("the mug deleted during the sync = %+v, want deleted", v)
		}
		if v := e.variant("TEE-S"); v.Deleted {
			t.Fatalf("the small tee = %+v, want left alone", v)
		}
		for sku, stock := range map[string]int{"TEE-M": 9, "CAP": 7} {
			if v := e.variant(sku); v.Deleted || v.Stock != stock {
				t.Fatalf("%s = %+v, want stock %d", sku, v, stock)
			}
		}
		if entry := e.lastSync(); entry.Kind != stockbell.EventSyncFinished || !strings.Contains(entry.Detail, `"unpublished":1`) {
			t.Fatalf("sync log = %+v", entry)
		}
	})
}
