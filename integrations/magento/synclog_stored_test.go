package magento_test

import (
	"encoding/json"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFirstSyncLogSaysWhatItStored: the sync log's entry of a store's
// first catalog sync counts the variants it stored, where it read "4
// items read, 0 changed" (the sync upserts what it reads and counted no
// change), and so does the next sync's, which stores them again.
func TestFirstSyncLogSaysWhatItStored(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		for _, sync := range []string{"first", "second"} {
			if sync == "second" {
				e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
			}
			var detail struct{ Items, Stored int }
			entry := e.lastSync()
			e.must(json.Unmarshal([]byte(entry.Detail), &detail))
			if entry.Kind != stockbell.EventSyncFinished || detail.Items != 4 || detail.Stored != 4 {
				t.Errorf("the %s sync's entry reads %s, want 4 items read and 4 stored", sync, entry.Detail)
			}
		}
	})
}
