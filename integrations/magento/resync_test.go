package magento_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDailySyncNeverOverlapsTheActivationSync: the daily fan-out leaves a
// store whose activation sync is queued or running alone, and asks the
// running one for no second run: it reads as fresh a state
// (storetest.CheckResyncNeverOverlapsInstallSync).
func TestDailySyncNeverOverlapsTheActivationSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		storetest.CheckResyncNeverOverlapsInstallSync(t, storetest.Resync{DB: db, ShopID: e.shop.ID,
			Kind: stockbell.MagentoCatalogSyncJob{}.Kind(), Source: magento.CatalogSource, Now: time.Now,
			FanOut: func() error { return e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{}) }})
	})
}
