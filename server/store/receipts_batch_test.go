package store_test

import (
	"errors"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// A batch of receipts stores each new one once, with its shop found by
// domain when it has no shop id and its payload and times as sent; a retry
// of a stored event gets the stored id; a write of the batch that fails
// fails alone.
func TestReceiptBatchFailsOnlyItsOwnRequests(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		stored := receipt(&shop.ID, "evt-1")
		_, err := db.RecordReceipt(ctx, stored)
		must(t, err)
		fresh, retried, twice := receipt(nil, "evt-2"), receipt(&shop.ID, "evt-1"), receipt(nil, "evt-2")
		failure := errors.New("another write failed")
		created, errs := store.RecordReceiptsInOneBatch(db, []*stockbell.WebhookReceipt{fresh, retried, twice}, failure)
		if !errors.Is(errs[3], failure) {
			t.Fatalf("failing write: %v", errs[3])
		}
		for i, err := range errs[:3] {
			if err != nil {
				t.Fatalf("receipt %d failed with the batch: %v", i, err)
			}
		}
		if !created[0] || created[1] || created[2] || retried.ID != stored.ID || twice.ID != fresh.ID {
			t.Fatalf("created = %v, ids %d %d %d: want the fresh one stored once, the retry the stored id", created, fresh.ID, retried.ID, twice.ID)
		}
		got, err := db.FindReceipt(ctx, fresh.ID)
		must(t, err)
		if got.ShopID == nil || *got.ShopID != shop.ID || string(got.Payload) != string(fresh.Payload) ||
			!got.TriggeredAt.Equal(fresh.TriggeredAt) || got.ProcessedAt != nil {
			t.Fatalf("stored receipt = %+v", got)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM webhook_receipts`); n != 2 {
			t.Fatalf("%d receipts stored, want 2", n)
		}
	})
}
