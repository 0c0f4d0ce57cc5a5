package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// lateReceipt is a platform's webhook for the fixture's shop, naming the
// shop by id as the BigCommerce, Magento, PrestaShop and demo receipts do.
func lateReceipt(fx eraseFixture, eventID string) *stockbell.WebhookReceipt {
	return &stockbell.WebhookReceipt{Platform: fx.shop.Platform, ShopID: &fx.shop.ID, Domain: fx.shop.Domain,
		EventID: eventID, Topic: "stock/change", Payload: []byte(`{}`)}
}

// TestLateReceiptForAnErasedShopFindsItGone: a webhook receipt naming an
// erased shop by id, in one batch with another shop's, returns ENOTFOUND
// and stores nothing of the erased shop, and the other shop's receipt is
// stored. On PostgreSQL the batch comes while the erase has deleted the
// shop's row, not committed: its insert's foreign key waits for the erase,
// then fails the statement, which had failed every receipt of the batch
// alone and the erased shop's as a violation (a 500, retried by the
// platform). A receipt alone, after the erase, finds the shop gone too.
func TestLateReceiptForAnErasedShopFindsItGone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone := newEraseFixture(t, db, "gone.myshopify.com")
		kept := newEraseFixture(t, db, "kept.myshopify.com")
		must(t, db.UninstallShop(ctx, gone.shop.ID))
		receipts := []*stockbell.WebhookReceipt{lateReceipt(gone, "late-1"), lateReceipt(kept, "kept-1")}
		var created []bool
		var errs []error
		record := func() error {
			created, errs = store.RecordReceiptsInOneBatch(db, receipts, nil)
			return nil
		}
		if db.Dialect == store.Postgres {
			must(t, writeWhileTheEraseHoldsTheShop(t, db, gone, func() {}, record))
		} else { // SQLite's writes take turns: the erase commits first
			must(t, db.DeleteShop(ctx, gone.shop.ID))
			must(t, record())
		}
		wantCode(t, errs[0], stockbell.ENOTFOUND, "")
		if errs[1] != nil || !created[1] {
			t.Errorf("the other shop's receipt in the batch: created %v, %v; want stored", created[1], errs[1])
		}
		lone, err := db.RecordReceipt(ctx, lateReceipt(gone, "late-2"))
		wantCode(t, err, stockbell.ENOTFOUND, "")
		if lone {
			t.Errorf("a receipt for the erased shop was reported created")
		}
		wantShopErased(t, db, gone)
		if n := count(t, db, `SELECT COUNT(*) FROM webhook_receipts WHERE shop_id = ? OR domain = ?`, gone.shop.ID, gone.shop.Domain); n != 0 {
			t.Errorf("%d receipts of the erased shop were stored", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM webhook_receipts WHERE shop_id = ?`, kept.shop.ID); n != 1 {
			t.Errorf("the other shop has %d receipts, want its 1", n)
		}
	})
}

// TestErasedShopsReceiptInAFailingBatchFindsItGone: a webhook receipt
// naming an erased shop by id, in a batch whose statement fails for
// another reason (one of its receipts the database refuses), returns
// ENOTFOUND as it does in a batch that stores, and the batch's other
// receipt is stored. On PostgreSQL the failed statement stored none of the
// batch, which then ran in a transaction, where the erased shop's foreign
// key aborted it with no statement left to run: its receipt, run again
// alone, failed the key as a violation (a 500, retried by the platform)
// where the statement outside a transaction answers ENOTFOUND (a 401).
func TestErasedShopsReceiptInAFailingBatchFindsItGone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone := newEraseFixture(t, db, "gone.myshopify.com")
		kept := newEraseFixture(t, db, "kept.myshopify.com")
		must(t, db.UninstallShop(ctx, gone.shop.ID))
		must(t, db.DeleteShop(ctx, gone.shop.ID))
		defer storetest.RefuseReceipt(t, db, "refused")()
		receipts := []*stockbell.WebhookReceipt{lateReceipt(gone, "late-1"), lateReceipt(kept, "kept-1"), lateReceipt(kept, "refused")}
		created, errs := store.RecordReceiptsInOneBatch(db, receipts, nil)
		wantCode(t, errs[0], stockbell.ENOTFOUND, "")
		if errs[1] != nil || !created[1] {
			t.Errorf("the other shop's receipt in the batch: created %v, %v; want stored", created[1], errs[1])
		}
		if errs[2] == nil {
			t.Errorf("the refused receipt was stored")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM webhook_receipts WHERE shop_id = ? OR domain = ?`, gone.shop.ID, gone.shop.Domain); n != 0 {
			t.Errorf("%d receipts of the erased shop were stored", n)
		}
	})
}
