package store_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDeleteProcessedReceipts: the sweep deletes the receipts processed
// before its cutoff, a batch at a time, and nothing else: a pending receipt
// stays however old, and so does one processed after the cutoff (received
// long ago but retried until lately) or received lately. A platform's retry
// of an event still kept is recognised as a duplicate; an event whose
// receipt was deleted is stored again as new.
func TestDeleteProcessedReceipts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		record := func(eventID string) *stockbell.WebhookReceipt {
			t.Helper()
			r := receipt(&shop.ID, eventID)
			created, err := db.RecordReceipt(ctx, r)
			must(t, err)
			if !created {
				t.Fatalf("receipt %s was not stored", eventID)
			}
			return r
		}
		old := []*stockbell.WebhookReceipt{record("old-1"), record("old-2"), record("old-3")}
		pending := record("old-pending")
		late := record("old-processed-late")
		must(t, db.MarkReceiptsProcessed(ctx, []int64{old[0].ID, old[1].ID, old[2].ID}))
		must(t, db.RetryReceipt(ctx, pending.ID, time.Hour, "platform API unavailable"))

		clock.Add(24 * time.Hour)
		must(t, db.MarkReceiptProcessed(ctx, late.ID))
		clock.Add(stockbell.DefaultReceiptRetention - 12*time.Hour)
		recent := record("recent")
		must(t, db.MarkReceiptProcessed(ctx, recent.ID))
		recentPending := record("recent-pending")

		cutoff := clock.Now().Add(-stockbell.DefaultReceiptRetention) // between old's processing and late's
		var counts []int
		for range 4 {
			n, err := db.DeleteProcessedReceipts(ctx, cutoff, 2)
			must(t, err)
			counts = append(counts, n)
		}
		if want := []int{2, 1, 0, 0}; !slices.Equal(counts, want) {
			t.Fatalf("deleted per batch of 2 = %v, want %v", counts, want)
		}
		for _, r := range old {
			_, err := db.FindReceipt(ctx, r.ID)
			wantCode(t, err, stockbell.ENOTFOUND, "")
		}
		for _, r := range []*stockbell.WebhookReceipt{pending, late, recent, recentPending} {
			if _, err := db.FindReceipt(ctx, r.ID); err != nil {
				t.Fatalf("receipt %s was deleted: %v", r.EventID, err)
			}
		}

		for _, kept := range []*stockbell.WebhookReceipt{recent, late, pending} {
			retry := receipt(&shop.ID, kept.EventID)
			created, err := db.RecordReceipt(ctx, retry)
			must(t, err)
			if created || retry.ID != kept.ID {
				t.Fatalf("retry of kept event %s: created=%v id=%d, want a duplicate of %d", kept.EventID, created, retry.ID, kept.ID)
			}
		}
		if again := record("old-1"); again.ID == old[0].ID {
			t.Fatalf("an event whose receipt was deleted came back as receipt %d", again.ID)
		}
	})
}

func TestDeleteProcessedReceiptsLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, limit := range []int{0, -1, store.MaxReceiptSweep + 1} {
			_, err := db.DeleteProcessedReceipts(ctx, time.Now(), limit)
			wantCode(t, err, stockbell.EINVALID, "limit")
		}
	})
}
