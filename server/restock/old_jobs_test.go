package restock_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// TestJobsQueuedWithoutTheirShopStillRun: jobs carry their shop id now,
// but jobs queued by a version before that (an upgrade leaves them in the
// queue) have none. Every kind of restock job, stripped of its shop id
// before it runs, still does its work: each subscriber is sent one message.
func TestJobsQueuedWithoutTheirShopStillRun(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.flow(stockbell.FlowLive)
		h.settings(1, 1, time.Hour)
		v := h.variant("v1")
		h.subscribe(v, 3, "old")
		h.stock("v1", "warehouse", 2) // a batch of two, then a wait for the third
		job, ok := h.nextDueJob()
		if !ok || !strings.Contains(job.Args, `"shop_id":`) {
			t.Fatalf("the stock job is queued without its shop: %+v", job)
		}
		ran := h.runWithoutJobShops()
		h.clock.Add(time.Hour)
		ran = append(ran, h.runWithoutJobShops()...)
		for _, kind := range []string{"variant_stock_changed", "restock_batch", "send_message", "restock_wait_ended"} {
			if !slices.Contains(ran, kind) {
				t.Errorf("no %s job ran (ran %v)", kind, ran)
			}
		}
		got := h.sender.recipients()
		slices.Sort(got)
		if want := []string{"old000@example.com", "old001@example.com", "old002@example.com"}; !slices.Equal(got, want) {
			t.Fatalf("sent to %v, want each of %v once", got, want)
		}
	})
}

// runWithoutJobShops works every due job as run does, first removing the
// shop id from the arguments of every job waiting, and returns the kinds
// that ran in order.
func (h *harness) runWithoutJobShops() []string {
	h.t.Helper()
	var ran []string
	for {
		h.dropJobShops()
		job, ok := h.nextDueJob()
		if !ok {
			return ran
		}
		if strings.Contains(job.Args, "shop_id") {
			h.t.Fatalf("job %s still has its shop: %s", job.Kind, job.Args)
		}
		ran = append(ran, job.Kind)
		h.must(h.work(job))
		_, err := h.db.DB.ExecContext(ctx, h.db.DB.Rebind(`UPDATE river_job SET state = 'completed', finalized_at = ? WHERE id = ?`), time.Now().UTC(), job.ID)
		h.must(err)
	}
}

// dropJobShops removes shop_id from the arguments of the jobs waiting, as
// a version before jobs carried their shop queued them.
func (h *harness) dropJobShops() {
	remove := `json_remove(args, '$.shop_id')`
	if h.db.Dialect == store.Postgres {
		remove = `args - 'shop_id'`
	}
	_, err := h.db.DB.ExecContext(ctx, `UPDATE river_job SET args = `+remove+` WHERE state IN ('available', 'scheduled', 'retryable')`)
	h.must(err)
}
