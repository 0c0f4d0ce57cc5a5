package prestashop_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDailySyncNeverOverlapsTheConnectSync: the daily fan-out leaves a
// shop whose connect sync is queued or running alone, and asks the
// running one for no second run: it reads as fresh a state
// (storetest.CheckResyncNeverOverlapsInstallSync).
func TestDailySyncNeverOverlapsTheConnectSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _, err := e.in.Connect(ctx, e.fake.URL()+"/", prestashoptest.Key)
		must(t, err)
		storetest.CheckResyncNeverOverlapsInstallSync(t, storetest.Resync{DB: db, ShopID: shop.ID,
			Kind: stockbell.PrestaShopCatalogSyncJob{}.Kind(), Source: prestashop.CatalogSource, Now: e.clock.Now,
			FanOut: func() error { return e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{}) }})
	})
}
