package magento_test

import (
	"encoding/json"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDailySyncSkipsAStoreJustSynced: the daily catalog sync run right
// after a store's activation sync finished (the leader's run at start-up,
// or its daily run) reads none of the store's catalog again, while it
// reads a second store's, synced longer ago; once
// magento.RecentCatalogSync has passed since, it reads the first again.
func TestDailySyncSkipsAStoreJustSynced(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fresh := newJobsEnv(t, db) // activated, and its activation's sync run
		older := newJobsEnv(t, db)
		_, err := db.DB.Exec(db.DB.Rebind(`UPDATE events SET created_at = ? WHERE shop_id = ?`),
			time.Now().Add(-magento.RecentCatalogSync-time.Minute).UTC(), older.shop.ID)
		fresh.must(err)
		before := map[*jobsEnv]int{fresh: fresh.productPages(), older: older.productPages()}
		fresh.dailyRun()
		if pages := fresh.productPages() - before[fresh]; pages != 0 {
			t.Fatalf("the daily run right after the activation's sync read %d catalog pages again, want none", pages)
		}
		if pages := older.productPages() - before[older]; pages != 1 {
			t.Fatalf("the daily run read %d catalog pages of the store synced %s ago, want its 1", pages, magento.RecentCatalogSync)
		}
		fresh.in.Clock = storetest.NewClock(time.Now().Add(magento.RecentCatalogSync + time.Minute))
		before[fresh] = fresh.productPages()
		fresh.dailyRun()
		if pages := fresh.productPages() - before[fresh]; pages != 1 {
			t.Fatalf("the daily run %s after the activation's sync read %d catalog pages, want the catalog's 1",
				magento.RecentCatalogSync, pages)
		}
	})
}

// dailyRun runs the daily catalog sync as the queue would once the syncs
// queued before have run: the fan-out, then each store's sync it queued.
func (e *jobsEnv) dailyRun() {
	e.t.Helper()
	kind := stockbell.MagentoCatalogSyncJob{}.Kind()
	_, err := e.db.DB.Exec(e.db.DB.Rebind(`DELETE FROM river_job WHERE kind = ?`), kind)
	e.must(err)
	e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{}))
	var queued []string
	e.must(e.db.DB.Select(&queued, e.db.DB.Rebind(`SELECT `+argsText(e.db)+` FROM river_job WHERE kind = ?`), kind))
	for _, args := range queued {
		var job stockbell.MagentoCatalogSyncJob
		e.must(json.Unmarshal([]byte(args), &job))
		e.must(e.in.SyncCatalog(ctx, job))
	}
}

// productPages is how many catalog pages (/V1/products) the store served.
func (e *jobsEnv) productPages() (n int) {
	e.fake.Do(func(f *magentotest.Fake) { n = f.Requests["/products"] })
	return n
}

// TestDailySyncAfterTheClockWentBack: a sync recorded while the server's
// clock ran ahead (a month, say, until someone set it right) is dated in
// the future; the daily run does not take it for a sync just finished, or
// the store would go unsynced until the clock caught up with it.
func TestDailySyncAfterTheClockWentBack(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		_, err := db.DB.Exec(db.DB.Rebind(`UPDATE events SET created_at = ? WHERE shop_id = ?`),
			time.Now().Add(30*24*time.Hour).UTC(), e.shop.ID)
		e.must(err)
		before := e.productPages()
		e.dailyRun()
		if pages := e.productPages() - before; pages != 1 {
			t.Fatalf("the daily run read %d catalog pages of a store whose last sync is dated a month ahead, want its 1", pages)
		}
	})
}
