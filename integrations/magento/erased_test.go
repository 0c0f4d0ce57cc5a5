package magento_test

import (
	"context"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// eraseAtRead is the catalog with the store erased (uninstalled, then
// deleted as `stockbell shop erase` does) when a job begins its next read
// of the platform: an erase the job meets halfway, its writes to come.
type eraseAtRead struct {
	stockbell.CatalogService
	db     *store.DB
	shopID int64
}

func (c eraseAtRead) BeginStockRead(ctx context.Context) (stockbell.StockRead, error) {
	if _, err := c.db.FindShopByID(ctx, c.shopID); err == nil {
		if err := c.db.UninstallShop(ctx, c.shopID); err != nil {
			return stockbell.StockRead{}, err
		}
		if err := c.db.DeleteShop(ctx, c.shopID); err != nil {
			return stockbell.StockRead{}, err
		}
	}
	return c.CatalogService.BeginStockRead(ctx)
}

// TestJobsMeetingTheStoresEraseEndQuietly: a catalog sync or a
// reconciliation whose store is erased while it runs ends without an
// error (the queue would retry it, to find nothing to do), and leaves no
// row of the erased store behind. Both returned the store's ENOTFOUND.
func TestJobsMeetingTheStoresEraseEndQuietly(t *testing.T) {
	for name, run := range map[string]func(e *jobsEnv) error{
		"catalog sync": func(e *jobsEnv) error {
			return e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID})
		},
		"reconcile": func(e *jobsEnv) error {
			return e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID})
		},
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newJobsEnv(t, db)
				e.subscribe("TEE-S", "ada@example.com")
				e.in.Catalog = eraseAtRead{CatalogService: db, db: db, shopID: e.shop.ID}
				if err := run(e); err != nil {
					t.Errorf("the %s meeting its store's erase: %v, want it done", name, err)
				}
				e.noRowsOfTheShop()
				// Run again after the erase, as a queued job would.
				if err := run(e); err != nil {
					t.Errorf("the %s of an erased store: %v, want it done", name, err)
				}
				e.noRowsOfTheShop()
			})
		})
	}
}

// noRowsOfTheShop fails the test for any row left of the erased store.
func (e *jobsEnv) noRowsOfTheShop() {
	e.t.Helper()
	for _, table := range []string{"shops", "products", "variants", "events", "subscriptions"} {
		column := "shop_id"
		if table == "shops" {
			column = "id"
		}
		var n int
		e.must(e.db.DB.GetContext(ctx, &n, e.db.DB.Rebind(`SELECT COUNT(*) FROM `+table+` WHERE `+column+` = ?`), e.shop.ID))
		if n != 0 {
			e.t.Errorf("%d rows of the erased store in %s", n, table)
		}
	}
}
