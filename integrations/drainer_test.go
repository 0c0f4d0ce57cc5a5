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

var ctx = context.Background()

// countingProcessor records how often each receipt was processed; the
// event ids in fail fail their first attempt.
type countingProcessor struct {
	mu    sync.Mutex
	seen  map[string]int
	fail  map[string]bool
	delay time.Duration
}

func (p *countingProcessor) ProcessReceipt(ctx context.Context, r *stockbell.WebhookReceipt) error {
	time.Sleep(p.delay)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen[r.EventID]++
	if p.fail[r.EventID] && p.seen[r.EventID] == 1 {
		return errors.New("platform unavailable")
	}
	return nil
}

func storeReceipts(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		_, err := db.RecordReceipt(ctx, &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, Domain: "a.myshopify.com",
			EventID: fmt.Sprintf("evt-%d", i), Topic: "inventory_levels/update", Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func newRegistry(db *store.DB, p integrations.ReceiptProcessor) *integrations.Registry {
	registry := integrations.NewRegistry(db, slog.New(slog.DiscardHandler))
	registry.Register(stockbell.PlatformShopify, p)
	return registry
}

// TestDrainerProcessesBatches: a drain claims a batch, processes each
// receipt once and marks it; a receipt whose processing failed is left
// pending with its error, claimable again only after its backoff.
func TestDrainerProcessesBatches(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := storetest.NewClock(time.Now().UTC())
		db.Clock = clock
		storeReceipts(t, db, 7)
		p := &countingProcessor{seen: map[string]int{}, fail: map[string]bool{"evt-3": true}}
		d := &integrations.Drainer{Registry: newRegistry(db, p), Logger: slog.New(slog.DiscardHandler), Batch: 5}
		for _, want := range []int{5, 2, 0} {
			if n, err := d.DrainOnce(ctx); err != nil || n != want {
				t.Fatalf("drain claimed %d (%v), want %d", n, err, want)
			}
		}
		var pending []struct {
			EventID   string `db:"event_id"`
			LastError string `db:"last_error"`
		}
		if err := db.DB.Select(&pending, `SELECT event_id, last_error FROM webhook_receipts WHERE processed_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		if len(pending) != 1 || pending[0].EventID != "evt-3" || pending[0].LastError == "" {
			t.Fatalf("pending after the drains = %+v, want evt-3 with its error", pending)
		}
		clock.Add(2 * time.Second) // the first retry waits 1 s
		if n, err := d.DrainOnce(ctx); err != nil || n != 1 {
			t.Fatalf("retry drain claimed %d (%v), want 1", n, err)
		}
		for i := range 7 {
			if want := 1 + map[bool]int{true: 1}[i == 3]; p.seen[fmt.Sprintf("evt-%d", i)] != want {
				t.Fatalf("processed %v, want each once and evt-3 twice", p.seen)
			}
		}
		var left int
		db.DB.Get(&left, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`)
		if left != 0 {
			t.Fatalf("%d receipts left unprocessed", left)
		}
	})
}

// TestDrainersShareReceipts: drainers running at once on one database,
// as replicas do, process every receipt exactly once.
func TestDrainersShareReceipts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		const n = 300
		storeReceipts(t, db, n)
		p := &countingProcessor{seen: map[string]int{}, delay: 100 * time.Microsecond}
		var drainers []*integrations.Drainer
		for range 3 {
			d := &integrations.Drainer{Registry: newRegistry(db, p), Logger: slog.New(slog.DiscardHandler), Batch: 20, Workers: 2}
			d.Start()
			drainers = append(drainers, d)
		}
		deadline := time.Now().Add(time.Minute)
		for left := n; left > 0; {
			if time.Now().After(deadline) {
				t.Fatalf("%d receipts still unprocessed after a minute", left)
			}
			time.Sleep(10 * time.Millisecond)
			db.DB.Get(&left, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`)
		}
		for _, d := range drainers {
			if err := d.Stop(ctx); err != nil {
				t.Fatal(err)
			}
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		for event, times := range p.seen {
			if times != 1 {
				t.Fatalf("%s processed %d times", event, times)
			}
		}
		if len(p.seen) != n {
			t.Fatalf("%d receipts processed, want %d", len(p.seen), n)
		}
	})
}

// TestReceiptJobLeavesClaimedReceipts: the process_receipt job of a
// receipt the drainer holds, or has processed, does nothing.
func TestReceiptJobLeavesClaimedReceipts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		storeReceipts(t, db, 2)
		p := &countingProcessor{seen: map[string]int{}}
		registry := newRegistry(db, p)
		claimed, err := db.ClaimReceipts(ctx, 1, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if err := registry.ProcessReceipt(ctx, stockbell.ProcessReceiptJob{ReceiptID: claimed[0].ID}); err != nil {
			t.Fatal(err)
		}
		if len(p.seen) != 0 {
			t.Fatalf("the job processed a receipt the drainer holds: %v", p.seen)
		}
		other := claimed[0].ID + 1
		for range 2 {
			if err := registry.ProcessReceipt(ctx, stockbell.ProcessReceiptJob{ReceiptID: other}); err != nil {
				t.Fatal(err)
			}
		}
		if p.seen["evt-1"] != 1 {
			t.Fatalf("the job of a free receipt, run twice: processed %v, want once", p.seen)
		}
	})
}

// waitingProcessor holds the batch's last receipt until the first one is
// marked processed in the store, and records whether it was.
type waitingProcessor struct {
	db         *store.DB
	first      string
	last       string
	firstShown chan bool
}

func (p *waitingProcessor) ProcessReceipt(ctx context.Context, r *stockbell.WebhookReceipt) error {
	if r.EventID != p.last {
		return nil
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var marked int
		p.db.DB.Get(&marked, p.db.DB.Rebind(`SELECT COUNT(*) FROM webhook_receipts WHERE event_id = ? AND processed_at IS NOT NULL`), p.first)
		if marked == 1 {
			p.firstShown <- true
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.firstShown <- false
	return nil
}

// TestDrainerMarksWhileTheBatchRuns: a receipt done is marked processed
// while the rest of its batch is still being processed, not only when the
// whole batch is done, so that a burst's long batches show their progress
// and a drainer that dies leaves little done work unmarked.
func TestDrainerMarksWhileTheBatchRuns(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		storeReceipts(t, db, 2)
		p := &waitingProcessor{db: db, first: "evt-0", last: "evt-1", firstShown: make(chan bool, 1)}
		d := &integrations.Drainer{Registry: newRegistry(db, p), Logger: slog.New(slog.DiscardHandler), Workers: 1}
		if n, err := d.DrainOnce(ctx); err != nil || n != 2 {
			t.Fatalf("drain claimed %d (%v), want 2", n, err)
		}
		if !<-p.firstShown {
			t.Fatal("the batch's first receipt was not marked processed while its last one was being processed")
		}
		var left int
		if err := db.DB.Get(&left, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`); err != nil || left != 0 {
			t.Fatalf("%d receipts left unmarked after the batch (%v)", left, err)
		}
	})
}
