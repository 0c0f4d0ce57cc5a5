package magento_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestJobsMeetingTheStoresEraseEndQuietly: a catalog sync or a
// reconciliation whose store is erased while it runs ends without an
// error (the queue would retry it, to find nothing to do), and leaves no
// row of the erased store behind; run again, as a job queued before the
// erase, it ends so too. Both returned the store's ENOTFOUND.
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
				e.in.Catalog = storetest.ErasingCatalog{CatalogService: db, DB: db, ShopID: e.shop.ID}
				for _, when := range []string{"meeting its store's erase", "of an erased store"} {
					if err := run(e); err != nil {
						t.Errorf("the %s %s: %v, want it done", name, when, err)
					}
					left, err := storetest.ShopRows(ctx, db, e.shop.ID)
					e.must(err)
					if len(left) > 0 {
						t.Errorf("the %s %s left rows of the store: %v", name, when, left)
					}
				}
			})
		})
	}
}
