package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func receipt(shopID *int64, id string) *stockbell.WebhookReceipt {
	return &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, ShopID: shopID, Domain: "A.myshopify.com",
		EventID: id, Topic: "inventory_levels/update", Payload: []byte(`{"inventory_item_id":1}`),
		TriggeredAt: time.Date(2025, 3, 1, 11, 59, 0, 0, time.UTC)}
}

func TestRecordReceiptDeduplicates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		first := receipt(&shop.ID, "evt-1")
		created, err := db.RecordReceipt(ctx, first)
		must(t, err)
		if !created || first.ID == 0 || !first.ReceivedAt.Equal(clock.Now()) {
			t.Fatalf("first receipt: created=%v %+v", created, first)
		}
		again := receipt(&shop.ID, "evt-1")
		again.Domain = "a.myshopify.com"
		created, err = db.RecordReceipt(ctx, again)
		must(t, err)
		if created || again.ID != first.ID {
			t.Fatalf("retried event: created=%v id=%d, want false and %d", created, again.ID, first.ID)
		}
		other := receipt(nil, "evt-2")
		created, err = db.RecordReceipt(ctx, other)
		must(t, err)
		if !created {
			t.Fatal("a second event id was taken for a duplicate")
		}
		jobs := jobArgs(t, db, stockbell.ProcessReceiptJob{}.Kind())
		if len(jobs) != 2 || jobs[0]["receipt_id"] != float64(first.ID) || jobs[1]["receipt_id"] != float64(other.ID) {
			t.Fatalf("process_receipt jobs = %v, want one per new receipt", jobs)
		}

		got, err := db.FindReceipt(ctx, first.ID)
		must(t, err)
		if got.Domain != "a.myshopify.com" || string(got.Payload) != `{"inventory_item_id":1}` || got.ProcessedAt != nil ||
			got.ShopID == nil || *got.ShopID != shop.ID || !got.TriggeredAt.Equal(first.TriggeredAt) {
			t.Fatalf("stored receipt = %+v", got)
		}
		clock.Add(time.Minute)
		processedAt := clock.Now()
		must(t, db.MarkReceiptProcessed(ctx, first.ID))
		clock.Add(time.Minute)
		must(t, db.MarkReceiptProcessed(ctx, first.ID))
		got, err = db.FindReceipt(ctx, first.ID)
		must(t, err)
		if got.ProcessedAt == nil || !got.ProcessedAt.Equal(processedAt) {
			t.Fatalf("processed_at = %v, want the first marking %v", got.ProcessedAt, processedAt)
		}
		_, err = db.FindReceipt(ctx, 9999)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		wantCode(t, db.MarkReceiptProcessed(ctx, 9999), stockbell.ENOTFOUND, "")
	})
}

func TestRecordReceiptInvalid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		cases := map[string]func(*stockbell.WebhookReceipt){
			"platform": func(d *stockbell.WebhookReceipt) { d.Platform = "etsy" },
			"domain":   func(d *stockbell.WebhookReceipt) { d.Domain = "" },
			"event_id": func(d *stockbell.WebhookReceipt) { d.EventID = "" },
			"topic":    func(d *stockbell.WebhookReceipt) { d.Topic = "" },
		}
		for field, breakIt := range cases {
			d := receipt(nil, "evt")
			breakIt(d)
			_, err := db.RecordReceipt(ctx, d)
			wantCode(t, err, stockbell.EINVALID, field)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM webhook_receipts`); n != 0 {
			t.Fatalf("%d invalid receipts stored", n)
		}
	})
}

// TestRecordReceiptRollsBackWithItsJob checks that a receipt is stored
// exactly when its processing job is.
func TestRecordReceiptRollsBackWithItsJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		real := db.Queue
		db.Queue = &failingQueue{inner: real, n: 1}
		if _, err := db.RecordReceipt(ctx, receipt(nil, "evt-1")); err != errQueueFailed {
			t.Fatalf("RecordReceipt with a failing queue = %v", err)
		}
		db.Queue = real
		if n := count(t, db, `SELECT COUNT(*) FROM webhook_receipts`); n != 0 {
			t.Fatal("the receipt stayed stored without its job")
		}
		if jobs := jobArgs(t, db, stockbell.ProcessReceiptJob{}.Kind()); len(jobs) != 0 {
			t.Fatalf("jobs of a rolled-back receipt remain: %v", jobs)
		}
		created, err := db.RecordReceipt(ctx, receipt(nil, "evt-1"))
		must(t, err)
		if !created {
			t.Fatal("the retried event after a failure was taken for a duplicate")
		}
	})
}
