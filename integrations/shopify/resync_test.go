package shopify_test

import (
	"context"
	"encoding/json"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

const capProduct, capVariant, capItem = int64(900), int64(901), int64(902)

// TestPeriodicSyncCatchesLostProductWebhooks: a product deleted and one
// created while their webhooks were lost are, once the hourly fan-out
// reaches the shop's hour and its sync runs, marked deleted and stored.
func TestPeriodicSyncCatchesLostProductWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		must(t, e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}))
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products = []*shopifytest.Product{e.cap()} })

		e.untilHourOf(shop.ID, false)
		must(t, e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{}))
		if got := e.queuedSyncs(); len(got) != 0 {
			t.Fatalf("outside the shop's hour the fan-out queued %v", got)
		}
		e.untilHourOf(shop.ID, true)
		must(t, e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{}))
		queued := e.queuedSyncs()
		if len(queued) != 1 || queued[0] != shop.ID {
			t.Fatalf("in the shop's hour the fan-out queued %v, want [%d]", queued, shop.ID)
		}
		must(t, e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: queued[0]}))

		if v, _ := e.variant(shop.ID, smallVariant); !v.Deleted {
			t.Error("the T-shirt deleted while its webhook was lost is not marked deleted")
		}
		if v, levels := e.variant(shop.ID, capVariant); v.Deleted || levels[itoa(warehouse)] != 3 {
			t.Errorf("the cap created while its webhook was lost: deleted %v, levels %v", v.Deleted, levels)
		}
		if n := e.count(`SELECT COUNT(*) FROM events WHERE shop_id = ? AND kind = 'sync_finished' AND detail LIKE ?`,
			shop.ID, "%"+shopify.CatalogSource+"%"); n != 2 {
			t.Errorf("%d catalog syncs in the sync log, want the install's and the periodic one", n)
		}
	})
}

// TestPeriodicSyncNeverOverlapsTheInstallSync: the fan-out reaching a
// shop whose install sync is queued, or running, queues nothing more and
// asks the running sync for no second run.
func TestPeriodicSyncNeverOverlapsTheInstallSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token, s.Scope = "shpat_test_token", "read_products,read_inventory" })
		shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: shopDomain,
			Seal: stockbell.SealToken(e.in.Sealer, "shpat_test_token"), Scopes: "read_products,read_inventory",
			FollowUp: func(s *stockbell.Shop) []stockbell.JobArgs {
				return []stockbell.JobArgs{stockbell.ShopifyCatalogSyncJob{ShopID: s.ID}}
			}})
		must(t, err)
		e.untilHourOf(shop.ID, true)
		must(t, e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{}))
		if got := e.queuedSyncs(); len(got) != 1 {
			t.Fatalf("with the install sync queued, %v syncs are queued, want the install's alone", got)
		}
		_, err = db.DB.Exec(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = CURRENT_TIMESTAMP WHERE kind = 'shopify_catalog_sync'`)
		must(t, err)
		must(t, e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{}))
		if got := e.queuedSyncs(); len(got) != 1 {
			t.Errorf("with the install sync running, %v syncs are queued, want the install's alone", got)
		}
		if n := e.count(`SELECT COUNT(*) FROM job_reruns`); n != 0 {
			t.Errorf("the fan-out asked the running install sync to run again (%d requests)", n)
		}
	})
}

// cap is a sold-out-then-restocked cap the shop created while its
// products/create webhook was lost.
func (e *env) cap() *shopifytest.Product {
	return &shopifytest.Product{ID: capProduct, Title: "Cap", Handle: "cap", Status: "ACTIVE", Published: true,
		UpdatedAt: e.clock.Now(), Variants: []*shopifytest.Variant{{ID: capVariant, Title: "Default", SKU: "cap", Price: "12.00",
			Policy: "DENY", InventoryItemID: capItem, Tracked: true, Levels: []shopifytest.Level{{LocationID: warehouse, Available: 3}}}}}
}

// untilHourOf advances the clock by hours until the periodic sync of the
// shop is due (or, with due false, is not).
func (e *env) untilHourOf(shopID int64, due bool) {
	for stockbell.CatalogResyncDue(shopID, e.clock.Now()) != due {
		e.clock.Advance(stockbell.CatalogResyncFanOut)
	}
}

// queuedSyncs are the shops of the catalog sync jobs in the queue.
func (e *env) queuedSyncs() []int64 {
	var args []string
	must(e.t, e.db.DB.Select(&args, `SELECT `+argsText(e.db)+` FROM river_job WHERE kind = 'shopify_catalog_sync' ORDER BY id`))
	var shops []int64
	for _, a := range args {
		var job stockbell.ShopifyCatalogSyncJob
		must(e.t, json.Unmarshal([]byte(a), &job))
		shops = append(shops, job.ShopID)
	}
	return shops
}

// argsText selects a River job's args as JSON text on either database.
func argsText(db *store.DB) string {
	if db.Dialect == store.Postgres {
		return "args::text"
	}
	return "json(args)"
}

