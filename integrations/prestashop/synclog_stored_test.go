package prestashop_test

import (
	"encoding/json"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFirstSyncLogSaysWhatItStored: the sync log's entry of a shop's
// first catalog sync counts the variants it stored, where it read "4
// items read, 0 changed" (the sync upserts what it reads and counted no
// change).
func TestFirstSyncLogSaysWhatItStored(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		log := e.syncLog(shop)
		if len(log) == 0 {
			t.Fatal("the sync log is empty")
		}
		var detail struct{ Items, Stored int }
		must(t, json.Unmarshal([]byte(log[0].Detail), &detail))
		if log[0].Kind != stockbell.EventSyncFinished || detail.Items != 4 || detail.Stored != 4 {
			t.Errorf("the first sync's entry reads %s, want 4 items read and 4 stored", log[0].Detail)
		}
	})
}
