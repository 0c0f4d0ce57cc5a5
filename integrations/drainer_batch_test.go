package integrations_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// batchProcessor processes receipts together, recording each call's
// receipts; a receipt in fail fails its first attempt. One at a time it
// records nothing but the receipt, so a test sees which way each went.
type batchProcessor struct {
	countingProcessor
	parts [][]string
}

func (p *batchProcessor) ProcessReceipts(ctx context.Context, rcs []*stockbell.WebhookReceipt, _ func() bool) []error {
	p.mu.Lock()
	part := make([]string, len(rcs))
	for i, rc := range rcs {
		part[i] = rc.EventID
	}
	p.parts = append(p.parts, part)
	p.mu.Unlock()
	errs := make([]error, len(rcs))
	for i, rc := range rcs {
		errs[i] = p.ProcessReceipt(ctx, rc)
	}
	return errs
}

// TestDrainerProcessesPartsTogether: a platform whose processor takes
// receipts together gets its receipts of a claim as one part, in claim
// order; each receipt is processed once, a failed one is left pending with
// its error and tried again after its backoff.
func TestDrainerProcessesPartsTogether(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := storetest.NewClock(time.Now().UTC())
		db.Clock = clock
		storeReceipts(t, db, 10)
		p := &batchProcessor{countingProcessor: countingProcessor{seen: map[string]int{}, fail: map[string]bool{"evt-4": true}}}
		d := &integrations.Drainer{Registry: newRegistry(db, p), Logger: slog.New(slog.DiscardHandler), Batch: 10, Workers: 3}
		if n, err := d.DrainOnce(ctx); err != nil || n != 10 {
			t.Fatalf("drain claimed %d (%v), want 10", n, err)
		}
		if len(p.parts) != 1 || len(p.parts[0]) != 10 {
			t.Fatalf("parts = %v, want the claim's 10 receipts as one", p.parts)
		}
		for i, id := range p.parts[0] {
			if id != fmt.Sprintf("evt-%d", i) {
				t.Fatalf("part %v is not in claim order", p.parts[0])
			}
		}
		var pending []struct {
			EventID   string `db:"event_id"`
			LastError string `db:"last_error"`
		}
		if err := db.DB.Select(&pending, `SELECT event_id, last_error FROM webhook_receipts WHERE processed_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		if len(pending) != 1 || pending[0].EventID != "evt-4" || pending[0].LastError == "" {
			t.Fatalf("pending = %+v, want evt-4 with its error", pending)
		}
		if n, err := d.DrainOnce(ctx); err != nil || n != 0 {
			t.Fatalf("drain before the backoff claimed %d (%v), want 0", n, err)
		}
		clock.Add(2 * time.Second)
		if n, err := d.DrainOnce(ctx); err != nil || n != 1 {
			t.Fatalf("retry drain claimed %d (%v), want 1", n, err)
		}
		for i := range 10 {
			id := fmt.Sprintf("evt-%d", i)
			if want := map[bool]int{true: 2, false: 1}[i == 4]; p.seen[id] != want {
				t.Fatalf("processed %v, want each once and evt-4 twice", p.seen)
			}
		}
	})
}

// partFailingProcessor fails every receipt of a part together, as a
// processor does whose store is away.
type partFailingProcessor struct {
	mu    sync.Mutex
	calls int
}

func (p *partFailingProcessor) ProcessReceipt(context.Context, *stockbell.WebhookReceipt) error {
	return errors.New("processed one at a time")
}

func (p *partFailingProcessor) ProcessReceipts(_ context.Context, rcs []*stockbell.WebhookReceipt, _ func() bool) []error {
	p.mu.Lock()
	p.calls++
	p.mu.Unlock()
	errs := make([]error, len(rcs))
	for i := range errs {
		errs[i] = errors.New("database away")
	}
	return errs
}

// TestDrainerReleasesAFailedPart: every receipt of a part that failed is
// released with the part's error, none marked processed.
func TestDrainerReleasesAFailedPart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		storeReceipts(t, db, 6)
		p := &partFailingProcessor{}
		d := &integrations.Drainer{Registry: newRegistry(db, p), Logger: slog.New(slog.DiscardHandler), Batch: 6, Workers: 2}
		if n, err := d.DrainOnce(ctx); err != nil || n != 6 {
			t.Fatalf("drain claimed %d (%v), want 6", n, err)
		}
		if p.calls != 1 {
			t.Fatalf("%d parts processed, want 1", p.calls)
		}
		var failed int
		if err := db.DB.Get(&failed, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL AND last_error LIKE '%database away%'`); err != nil {
			t.Fatal(err)
		}
		if failed != 6 {
			t.Fatalf("%d receipts pending with the part's error, want 6", failed)
		}
	})
}

// TestDrainerGathersBeforeClaiming: woken by a new receipt, a drainer
// waits its Gather for others before claiming (an hour here, so that the
// wait shows); Stop ends the wait. A drainer at the shipped Gather then
// processes the receipt left and, woken, one stored while it runs.
func TestDrainerGathersBeforeClaiming(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		processedCount := func() (n int) {
			if err := db.DB.Get(&n, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NOT NULL`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		p := &countingProcessor{seen: map[string]int{}}
		gathering := &integrations.Drainer{Registry: newRegistry(db, p), Logger: slog.New(slog.DiscardHandler), Gather: time.Hour, Poll: time.Hour}
		gathering.Start()
		time.Sleep(50 * time.Millisecond) // its first drain found nothing; it waits to be woken
		storeReceipts(t, db, 1)
		time.Sleep(300 * time.Millisecond)
		if n := processedCount(); n != 0 {
			t.Fatalf("%d receipts processed while the drainer gathers", n)
		}
		stopCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := gathering.Stop(stopCtx); err != nil {
			t.Fatalf("stop during the gather: %v", err)
		}
		// The next drainer, at the shipped Gather, processes the receipt
		// left at its start and, woken (its poll is an hour away), the next.
		next := &integrations.Drainer{Registry: newRegistry(db, p), Logger: slog.New(slog.DiscardHandler), Poll: time.Hour}
		next.Start()
		defer next.Stop(ctx)
		time.Sleep(50 * time.Millisecond)
		_, err := db.RecordReceipt(ctx, &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, Domain: "a.myshopify.com",
			EventID: "evt-late", Topic: "inventory_levels/update", Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); processedCount() < 2; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d of 2 receipts processed by a drainer at the shipped gather", processedCount())
			}
		}
	})
}

// lateProcessor processes a part's receipts one after another, asking
// mayStart before each, as stockbell.StockReceiptBatch does; each receipt
// it processes moves the clock on by took.
type lateProcessor struct {
	countingProcessor
	clock *storetest.Clock
	took  time.Duration
}

func (p *lateProcessor) ProcessReceipts(ctx context.Context, rcs []*stockbell.WebhookReceipt, mayStart func() bool) []error {
	errs := make([]error, len(rcs))
	for i, rc := range rcs {
		if !mayStart() {
			errs[i] = stockbell.ErrReceiptUnstarted
			continue
		}
		errs[i] = p.ProcessReceipt(ctx, rc)
		p.clock.Add(p.took)
	}
	return errs
}

// TestDrainerReleasesReceiptsUnstartedInAPart: with the shipped lease, a
// batch processor may start a part's receipts only in the first half of
// the claim's lease; those it did not start are released to be claimed
// again at once, without the backoff of a failure, and are processed by
// the next drain.
func TestDrainerReleasesReceiptsUnstartedInAPart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := storetest.NewClock(time.Now().UTC())
		db.Clock = clock
		storeReceipts(t, db, 3)
		p := &lateProcessor{countingProcessor: countingProcessor{seen: map[string]int{}}, clock: clock,
			took: integrations.DefaultLease/2 + time.Second}
		d := &integrations.Drainer{Registry: newRegistry(db, p), Logger: slog.New(slog.DiscardHandler), Batch: 3, Clock: clock}
		if n, err := d.DrainOnce(ctx); err != nil || n != 3 {
			t.Fatalf("drain claimed %d (%v), want 3", n, err)
		}
		if p.seen["evt-0"] != 1 || p.seen["evt-1"]+p.seen["evt-2"] != 0 {
			t.Fatalf("processed %v, want only the first receipt started in time", p.seen)
		}
		var unstarted int
		if err := db.DB.Get(&unstarted, db.DB.Rebind(`SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL AND last_error = ?`),
			stockbell.ErrReceiptUnstarted.Error()); err != nil {
			t.Fatal(err)
		}
		if unstarted != 2 {
			t.Fatalf("%d receipts released unstarted, want 2", unstarted)
		}
		p.took = 0
		if n, err := d.DrainOnce(ctx); err != nil || n != 2 {
			t.Fatalf("the next drain claimed %d (%v), want the 2 released at once", n, err)
		}
		if p.seen["evt-1"] != 1 || p.seen["evt-2"] != 1 {
			t.Fatalf("processed %v, want the released receipts processed by the next drain", p.seen)
		}
	})
}
