package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func delivery(shopID *int64, id string) *stockbell.WebhookDelivery {
	return &stockbell.WebhookDelivery{Platform: stockbell.PlatformShopify, ShopID: shopID, Domain: "A.myshopify.com",
		DeliveryID: id, Topic: "inventory_levels/update", Payload: []byte(`{"inventory_item_id":1}`),
		TriggeredAt: time.Date(2025, 3, 1, 11, 59, 0, 0, time.UTC)}
}

func TestRecordDeliveryDeduplicates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		first := delivery(&shop.ID, "evt-1")
		created, err := db.RecordDelivery(ctx, first)
		must(t, err)
		if !created || first.ID == 0 || !first.ReceivedAt.Equal(clock.Now()) {
			t.Fatalf("first delivery: created=%v %+v", created, first)
		}
		again := delivery(&shop.ID, "evt-1")
		again.Domain = "a.myshopify.com"
		created, err = db.RecordDelivery(ctx, again)
		must(t, err)
		if created || again.ID != first.ID {
			t.Fatalf("redelivery: created=%v id=%d, want false and %d", created, again.ID, first.ID)
		}
		other := delivery(nil, "evt-2")
		created, err = db.RecordDelivery(ctx, other)
		must(t, err)
		if !created {
			t.Fatal("a second delivery id was taken for a duplicate")
		}
		jobs := jobArgs(t, db, stockbell.ProcessWebhookJob{}.Kind())
		if len(jobs) != 2 || jobs[0]["delivery_id"] != float64(first.ID) || jobs[1]["delivery_id"] != float64(other.ID) {
			t.Fatalf("process_webhook jobs = %v, want one per new delivery", jobs)
		}

		got, err := db.FindDelivery(ctx, first.ID)
		must(t, err)
		if got.Domain != "a.myshopify.com" || string(got.Payload) != `{"inventory_item_id":1}` || got.ProcessedAt != nil ||
			got.ShopID == nil || *got.ShopID != shop.ID || !got.TriggeredAt.Equal(first.TriggeredAt) {
			t.Fatalf("stored delivery = %+v", got)
		}
		clock.Add(time.Minute)
		processedAt := clock.Now()
		must(t, db.MarkDeliveryProcessed(ctx, first.ID))
		clock.Add(time.Minute)
		must(t, db.MarkDeliveryProcessed(ctx, first.ID))
		got, err = db.FindDelivery(ctx, first.ID)
		must(t, err)
		if got.ProcessedAt == nil || !got.ProcessedAt.Equal(processedAt) {
			t.Fatalf("processed_at = %v, want the first marking %v", got.ProcessedAt, processedAt)
		}
		_, err = db.FindDelivery(ctx, 9999)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		wantCode(t, db.MarkDeliveryProcessed(ctx, 9999), stockbell.ENOTFOUND, "")
	})
}

func TestRecordDeliveryInvalid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		cases := map[string]func(*stockbell.WebhookDelivery){
			"platform":    func(d *stockbell.WebhookDelivery) { d.Platform = "etsy" },
			"domain":      func(d *stockbell.WebhookDelivery) { d.Domain = "" },
			"delivery_id": func(d *stockbell.WebhookDelivery) { d.DeliveryID = "" },
			"topic":       func(d *stockbell.WebhookDelivery) { d.Topic = "" },
		}
		for field, breakIt := range cases {
			d := delivery(nil, "evt")
			breakIt(d)
			_, err := db.RecordDelivery(ctx, d)
			wantCode(t, err, stockbell.EINVALID, field)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM webhook_deliveries`); n != 0 {
			t.Fatalf("%d invalid deliveries stored", n)
		}
	})
}

// TestRecordDeliveryRollsBackWithItsJob checks that a delivery is stored
// exactly when its processing job is.
func TestRecordDeliveryRollsBackWithItsJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		real := db.Queue
		db.Queue = &failingQueue{inner: real, n: 1}
		if _, err := db.RecordDelivery(ctx, delivery(nil, "evt-1")); err != errQueueFailed {
			t.Fatalf("RecordDelivery with a failing queue = %v", err)
		}
		db.Queue = real
		if n := count(t, db, `SELECT COUNT(*) FROM webhook_deliveries`); n != 0 {
			t.Fatal("the delivery stayed stored without its job")
		}
		if jobs := jobArgs(t, db, stockbell.ProcessWebhookJob{}.Kind()); len(jobs) != 0 {
			t.Fatalf("jobs of a rolled-back delivery remain: %v", jobs)
		}
		created, err := db.RecordDelivery(ctx, delivery(nil, "evt-1"))
		must(t, err)
		if !created {
			t.Fatal("the redelivery after a failure was taken for a duplicate")
		}
	})
}
