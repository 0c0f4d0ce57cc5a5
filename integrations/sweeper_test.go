package integrations_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSweepDeletesOnlyOldProcessedReceipts: a sweep a retention after some
// receipts were processed deletes them, and keeps the pending receipt of
// the same age and the receipts processed since.
func TestSweepDeletesOnlyOldProcessedReceipts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := storetest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
		db.Clock = clock
		record := func(eventID string) int64 {
			t.Helper()
			r := &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, Domain: "a.myshopify.com",
				EventID: eventID, Topic: "orders/create", Payload: []byte(`{"email":"ann@example.com"}`)}
			if _, err := db.RecordReceipt(ctx, r); err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		old, pending := record("old"), record("pending")
		mustDo(t, db.MarkReceiptProcessed(ctx, old))
		clock.Add(stockbell.DefaultReceiptRetention + time.Minute)
		recent := record("recent")
		mustDo(t, db.MarkReceiptProcessed(ctx, recent))

		sweeper := &integrations.ReceiptSweeper{Receipts: db, Clock: clock, Logger: slog.New(slog.DiscardHandler)}
		mustDo(t, sweeper.Sweep(ctx, stockbell.SweepReceiptsJob{}))
		if _, err := db.FindReceipt(ctx, old); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("old processed receipt: err = %v, want it deleted", err)
		}
		for _, id := range []int64{pending, recent} {
			if _, err := db.FindReceipt(ctx, id); err != nil {
				t.Fatalf("receipt %d: %v, want it kept", id, err)
			}
		}
	})
}

// countingSweepStore deletes batches from a backlog of processed receipts.
type countingSweepStore struct {
	stockbell.ReceiptService
	backlog int
	batches []int
	cutoff  time.Time
}

func (s *countingSweepStore) DeleteProcessedReceipts(_ context.Context, before time.Time, limit int) (int, error) {
	n := min(limit, s.backlog)
	s.backlog -= n
	s.batches, s.cutoff = append(s.batches, n), before
	return n, nil
}

// TestSweepDeletesInBatches: a sweep deletes its backlog SweepBatch
// receipts at a time and stops at the first batch that finds fewer, with
// its cutoff the retention before now.
func TestSweepDeletesInBatches(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	fake := &countingSweepStore{backlog: 2*integrations.SweepBatch + 7}
	sweeper := &integrations.ReceiptSweeper{Receipts: fake, Retention: 72 * time.Hour,
		Clock: storetest.NewClock(now), Logger: slog.New(slog.DiscardHandler)}
	mustDo(t, sweeper.Sweep(ctx, stockbell.SweepReceiptsJob{}))
	if want := []int{integrations.SweepBatch, integrations.SweepBatch, 7}; !slices.Equal(fake.batches, want) {
		t.Fatalf("batches = %v, want %v", fake.batches, want)
	}
	if want := now.Add(-72 * time.Hour); !fake.cutoff.Equal(want) {
		t.Fatalf("cutoff = %v, want %v", fake.cutoff, want)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
