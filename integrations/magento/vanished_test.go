package magento_test

import (
	"slices"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestCatalogSyncGoesOnPastAProductDeletedMidSync: products deleted in
// Magento after the sync listed them, before it read their stock (which
// Magento then answers 404), do not fail the sync. The mug, deleted, is
// marked deleted as a product the listing lacked would be; the tee's
// small size, deleted from the tee, is marked deleted from it as a size
// the tee no longer lists is; the other products are read as usual.
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
		if v := e.variant("TEE-S"); v.Deleted || !v.VariantDeleted {
			t.Fatalf("the small tee = %+v, want deleted from the tee", v)
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

// TestCatalogSyncKeepsAProductFoundWhileItRan: a hat created in Magento
// after the sync's listing passed its id range is not in that listing,
// but a read begun after the sync began found it and stored it (a sync
// run again by another replica, say): the sync's end does not mark it
// deleted as vanished. The cap, which the store really lost, still is.
func TestCatalogSyncKeepsAProductFoundWhileItRan(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		var storeErr error
		e.fake.Do(func(f *magentotest.Fake) {
			f.Products = f.Products[:2] // the cap is deleted
			f.AfterProductPage = func(f *magentotest.Fake) {
				f.AfterProductPage = nil
				hat := &magentotest.Product{ID: 40, SKU: "HAT", Name: "Hat", Type: "simple", Visibility: 4, Status: 1, Price: 9, ManageStock: true}
				f.Products = append(f.Products, hat)
				storeErr = storeProductRead(db, e.shop.ID, "40", "HAT")
			}
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		e.must(storeErr)
		if v := e.variant("HAT"); v.Deleted {
			t.Fatal("the sync marked deleted a product found while it ran")
		}
		if v := e.variant("CAP"); !v.Deleted {
			t.Fatal("the product the store lost was kept")
		}
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		if v := e.variant("HAT"); v.Deleted {
			t.Fatal("the next sync, which lists the hat, marked it deleted")
		}
	})
}

// storeProductRead stores a simple product as a read of the store begun
// now found it.
func storeProductRead(db *store.DB, shopID int64, id, sku string) error {
	read, err := db.BeginStockRead(ctx)
	if err != nil {
		return err
	}
	_, err = db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shopID, PlatformID: id, Title: sku, Published: true, Read: &read,
		Source: magento.CatalogSource, Variants: []stockbell.VariantUpsert{{PlatformID: sku, SKU: sku, Title: sku, Tracked: true,
			Levels: []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation}}}}})
	return err
}

// TestCatalogSyncFailsOnA404ForAProductThatExists: a 404 from the stock
// read of a product Magento still has (the route is missing) says nothing
// of the product: the sync fails, and marks nothing deleted, rather than
// taking every product for deleted.
func TestCatalogSyncFailsOnA404ForAProductThatExists(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.fake.Do(func(f *magentotest.Fake) { f.Unrouted = []string{"/stockItems/"} })
		if err := e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("a sync whose stock reads answer 404 for existing products = %v, want the 404", err)
		}
		for _, sku := range []string{"TEE-S", "TEE-M", "MUG", "CAP"} {
			if v := e.variant(sku); v.Deleted {
				t.Fatalf("%s was marked deleted", sku)
			}
		}
	})
}

// TestModulePostDuringASyncCannotGetItsProductDeleted: the module's posts
// go through ApplyStockChange, which does not mark a product seen, and
// need not. A post can only change a SKU the catalog knows, under the
// entity id Magento gave its product; ids only grow and the sync lists
// them in order, so that product is listed unless Magento deleted it
// before the listing reached it (then marking it deleted is right). A SKU
// made while the sync runs, after the listing passed, is not in the
// catalog: its post stores nothing the sync could mark, records the SKU
// and queues the catalog sync that stores it.
func TestModulePostDuringASyncCannotGetItsProductDeleted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		var postErr error
		e.fake.Do(func(f *magentotest.Fake) {
			f.AfterProductPage = func(f *magentotest.Fake) {
				f.AfterProductPage = nil
				f.Products = append(f.Products, &magentotest.Product{ID: 40, SKU: "HAT", Name: "Hat", Type: "simple", Visibility: 4,
					Status: 1, Price: 9, Qty: 3, InStock: true, ManageStock: true})
				postErr = e.in.ProcessReceipt(ctx, &stockbell.WebhookReceipt{Domain: e.fake.Domain(),
					Payload: []byte(`{"sku":"HAT","qty":3,"is_in_stock":true,"source":"default"}`)})
			}
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		e.must(postErr)
		if _, err := db.FindVariant(ctx, e.shop.ID, "HAT"); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("the hat posted during the sync = %v, want not stored by the post", err)
		}
		var queued int
		e.must(db.DB.Get(&queued, `SELECT COUNT(*) FROM river_job WHERE kind = 'magento_catalog_sync'`))
		if queued == 0 {
			t.Fatal("the post for an unknown SKU queued no catalog sync")
		}
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID})) // the queued sync
		if v := e.variant("HAT"); v.Deleted || v.Stock != 3 {
			t.Fatalf("the hat after the queued sync = %+v, want stored with its stock", v)
		}
	})
}
