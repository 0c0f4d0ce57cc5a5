package bigcommerce_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// capID and capVariant are a cap the merchant creates while the store's
// hooks are deactivated.
const capID, capVariant = int64(500), int64(900)

// TestPeriodicSyncCatchesLostProductWebhooks: a product deleted and one
// created while their webhooks were lost (a deactivated hook) are marked
// deleted and stored by the store's periodic sync
// (storetest.CheckResyncCatchesLostWebhooks).
func TestPeriodicSyncCatchesLostProductWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.resync(e.install().ID)
		r.LoseWebhooks = func() {
			e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
				s.Products = append(s.Products[1:], &bigcommercetest.Product{ID: capID, Name: "Cap", URL: "/cap/", Visible: true,
					Availability: "available", Tracking: "variant", Price: "12", Modified: e.clock.Now(),
					Variants: []*bigcommercetest.Variant{{ID: capVariant, SKU: "CAP", Levels: map[int64]int{warehouse: 3}}}})
			})
		}
		r.Gone, r.Created = itoa(shirtSmall), itoa(capVariant)
		storetest.CheckResyncCatchesLostWebhooks(t, r)
	})
}

// TestPeriodicSyncNeverOverlapsTheInstallSync: the fan-out leaves a store
// whose install sync is queued or running alone
// (storetest.CheckResyncNeverOverlapsInstallSync).
func TestPeriodicSyncNeverOverlapsTheInstallSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformBigCommerce, Domain: "stores/" + storeHash,
			Seal: stockbell.SealToken(e.in.Sealer, "bc_test_token"), Scopes: "store_v2_products_read_only",
			FollowUp: func(s *stockbell.Shop) []stockbell.JobArgs {
				return []stockbell.JobArgs{stockbell.BigCommerceCatalogSyncJob{ShopID: s.ID}}
			}})
		must(t, err)
		storetest.CheckResyncNeverOverlapsInstallSync(t, e.resync(shop.ID))
	})
}

// resync is the store's periodic catalog sync, for the storetest checks.
func (e *env) resync(shopID int64) storetest.Resync {
	return storetest.Resync{DB: e.db, ShopID: shopID, Kind: stockbell.BigCommerceCatalogSyncJob{}.Kind(), Source: bigcommerce.CatalogSource,
		Now: e.clock.Now, Advance: e.clock.Advance,
		FanOut: func() error { return e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{}) },
		Sync:   func(id int64) error { return e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: id}) },
	}
}
