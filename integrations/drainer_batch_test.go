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

func (p *batchProcessor) ProcessReceipts(ctx context.Context, rcs []*stockbell.WebhookReceipt) []error {
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
// receipts together gets the claim in Workers parts, in claim order; each
// receipt is processed once, a failed one is left pending with its error
// and tried again after its backoff, alone or with others.
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
		// Each part is a run of consecutive receipts (the parts themselves
		// run at once, so they may finish in any order).
		sizes := map[int]int{}
		covered := map[string]bool{}
		for _, part := range p.parts {
			sizes[len(part)]++
			var first int
			fmt.Sscanf(part[0], "evt-%d", &first)
			for k, id := range part {
				if id != fmt.Sprintf("evt-%d", first+k) || covered[id] {
					t.Fatalf("parts %v: not runs of consecutive receipts in claim order", p.parts)
				}
				covered[id] = true
			}
		}
		if len(p.parts) != 3 || sizes[4] != 2 || sizes[2] != 1 || len(covered) != 10 {
			t.Fatalf("parts = %v, want three of 4, 4 and 2 receipts covering all 10", p.parts)
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

func (p *partFailingProcessor) ProcessReceipts(_ context.Context, rcs []*stockbell.WebhookReceipt) []error {
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
		if p.calls != 2 {
			t.Fatalf("%d parts processed, want 2", p.calls)
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
