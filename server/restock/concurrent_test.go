package restock_test

import (
	"context"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/restock"
)

// readTogether is the real store, whose first readers of a restock
// state wait for each other: the decisions they make are made on the same
// state, as two replicas (or two stock change jobs) deciding at once do.
type readTogether struct {
	stockbell.RestockStore
	mu      sync.Mutex
	waiting int
	ready   chan struct{}
}

func newReadTogether(s stockbell.RestockStore, readers int) *readTogether {
	return &readTogether{RestockStore: s, waiting: readers, ready: make(chan struct{})}
}

func (r *readTogether) FindRestockState(ctx context.Context, shopID, variantID int64) (*stockbell.RestockState, error) {
	state, err := r.RestockStore.FindRestockState(ctx, shopID, variantID)
	r.mu.Lock()
	if r.waiting > 0 {
		r.waiting--
		if r.waiting == 0 {
			close(r.ready)
		}
	}
	r.mu.Unlock()
	<-r.ready
	return state, err
}

// TestConcurrentDecisionsNotifyOneBatch: two decisions about one variant
// made at once on the same stock (two replicas, or the jobs of two quick
// stock changes) start one batch between them, at the shortest wait a
// merchant may set: the second finds the waiting period the first
// started and notifies no one, whether or not the first took everyone
// queued (the short queue).
func TestConcurrentDecisionsNotifyOneBatch(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		const stock, perUnit = 3, 2
		h.settings(1, perUnit, stockbell.MinWait)
		long, short := h.variant("long"), h.variant("short")
		h.subscribe(long, 10, "l")
		h.subscribe(short, 4, "s")
		h.stock("long", "warehouse", stock)
		h.stock("short", "warehouse", stock)
		for _, v := range []int64{long, short} {
			h.decideTogether(v)
		}
		h.run()

		if got := len(h.notified(long)); got != stock*perUnit {
			t.Errorf("notified %d of the long queue, want %d (%d units × %d per unit)", got, stock*perUnit, stock, perUnit)
		}
		if got := len(h.notified(short)); got != 4 {
			t.Errorf("notified %d of the short queue, want its 4", got)
		}
		if got := len(h.sender.recipients()); got != stock*perUnit+4 {
			t.Errorf("sent %d alerts, want %d", got, stock*perUnit+4)
		}
		for name, v := range map[string]int64{"long": long, "short": short} {
			if n := len(h.events(v, stockbell.EventBatchStarted)); n != 1 {
				t.Errorf("the %s queue: %d batches started, want 1", name, n)
			}
		}
	})
}

// decideTogether runs two stock change decisions about the variant at
// once, each having read the variant's state before either applies.
func (h *harness) decideTogether(variantID int64) {
	h.t.Helper()
	together := newReadTogether(h.db, 2)
	engine := &restock.Engine{Store: together, Clock: h.clock, ChunkSize: h.engine.ChunkSize}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			errs <- engine.HandleStockChanged(ctx, stockbell.VariantStockChangedJob{ShopID: h.shop.ID, VariantID: variantID})
		}()
	}
	for range 2 {
		h.must(<-errs)
	}
	if n := h.count(`SELECT COUNT(*) FROM restock_batches WHERE variant_id = ?`, variantID); n > 2 {
		h.t.Fatalf("variant %d: %d batches started by two decisions", variantID, n)
	}
}

// TestNoWaitBetweenBatchesIsRefused: the wait between batches is at least
// MinWait, so a batch that leaves shoppers queued always starts a waiting
// period, which concurrent decisions about its variant find.
func TestNoWaitBetweenBatchesIsRefused(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		wait := time.Duration(0)
		_, err := h.db.UpdateSettings(ctx, h.shop.ID, stockbell.SettingsUpdate{Wait: &wait})
		if stockbell.ErrorCode(err) != stockbell.EINVALID {
			t.Fatalf("a wait of 0 between batches: got %v, want EINVALID", err)
		}
	})
}
