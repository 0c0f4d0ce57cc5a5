package store_test

import (
	"slices"
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
		if other.ShopID == nil || *other.ShopID != shop.ID {
			t.Fatalf("a receipt stored without a shop got shop %v, want its domain's %d", other.ShopID, shop.ID)
		}
		if jobs := jobArgs(t, db, stockbell.ProcessReceiptJob{}.Kind()); len(jobs) != 0 {
			t.Fatalf("process_receipt jobs = %v, want none: the drainer claims receipts from the table", jobs)
		}
		pending, err := db.ClaimReceipts(ctx, 10, time.Minute)
		must(t, err)
		if len(pending) != 2 || pending[0].ID != first.ID || pending[1].ID != other.ID {
			t.Fatalf("pending receipts = %v, want the two new ones", pending)
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

// TestClaimReceipts: a claim leases pending receipts, oldest first; a
// leased receipt is claimed again only once its lease ended, a retried one
// once its delay passed, a processed one never.
func TestClaimReceipts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		var ids []int64
		for i := range 5 {
			r := receipt(nil, "evt-"+string(rune('a'+i)))
			_, err := db.RecordReceipt(ctx, r)
			must(t, err)
			ids = append(ids, r.ID)
		}
		select {
		case <-db.ReceiptsStored():
		default:
			t.Fatal("storing receipts signalled no drainer")
		}
		claimIDs := func(limit int) []int64 {
			got, err := db.ClaimReceipts(ctx, limit, time.Minute)
			must(t, err)
			out := []int64{}
			for _, r := range got {
				out = append(out, r.ID)
			}
			return out
		}
		if got := claimIDs(2); !slices.Equal(got, ids[:2]) {
			t.Fatalf("first claim = %v, want %v", got, ids[:2])
		}
		if got := claimIDs(10); !slices.Equal(got, ids[2:]) {
			t.Fatalf("second claim = %v, want the rest %v", got, ids[2:])
		}
		if got := claimIDs(10); len(got) != 0 {
			t.Fatalf("leased receipts claimed again: %v", got)
		}
		must(t, db.MarkReceiptsProcessed(ctx, []int64{ids[0], ids[1], 9999}))
		must(t, db.RetryReceipt(ctx, ids[2], 10*time.Second, "platform down"))
		_, err := db.ClaimReceipt(ctx, ids[2], time.Minute)
		wantCode(t, err, stockbell.ECONFLICT, "")
		clock.Add(11 * time.Second)
		if got := claimIDs(10); !slices.Equal(got, ids[2:3]) {
			t.Fatalf("after the retry delay: claimed %v, want %v", got, ids[2:3])
		}
		clock.Add(time.Minute)
		got, err := db.ClaimReceipts(ctx, 10, time.Minute)
		must(t, err)
		if len(got) != 3 || got[0].ID != ids[2] || got[0].Attempts != 3 {
			t.Fatalf("after the leases ended: claimed %+v, want the 3 unprocessed, the retried one on its third attempt", got)
		}
		_, err = db.ClaimReceipt(ctx, ids[0], time.Minute)
		wantCode(t, err, stockbell.ECONFLICT, "")
		_, err = db.ClaimReceipt(ctx, 9999, time.Minute)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		wantCode(t, db.RetryReceipt(ctx, 9999, 0, "x"), stockbell.ENOTFOUND, "")
		_, err = db.ClaimReceipts(ctx, 0, time.Minute)
		wantCode(t, err, stockbell.EINVALID, "limit")
	})
}
