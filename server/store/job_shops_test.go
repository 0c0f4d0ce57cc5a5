package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFindJobRowShop: a job queued without its shop id finds the shop of
// each kind of row jobs name; a row gone is not found, and a kind no job
// names is refused.
func TestFindJobRowShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newTenancy(t, db)
		for row, id := range map[stockbell.JobRow]int64{stockbell.JobRowVariant: fx.bVariant.ID, stockbell.JobRowRestockBatch: fx.bRestock,
			stockbell.JobRowMessage: fx.bPendingMsg, stockbell.JobRowWebhookEndpoint: fx.bEndpoint, stockbell.JobRowReportDelivery: fx.bReportDelivery} {
			shopID, err := db.FindJobRowShop(ctx, row, id)
			must(t, err)
			if shopID != fx.b.ID {
				t.Errorf("%s %d is shop %d's, want %d", row, id, shopID, fx.b.ID)
			}
			_, err = db.FindJobRowShop(ctx, row, id+1000)
			wantCode(t, err, stockbell.ENOTFOUND, "")
		}
		_, err := db.FindJobRowShop(ctx, "subscription", fx.bSub)
		wantCode(t, err, stockbell.EINVALID, "row")
	})
}
