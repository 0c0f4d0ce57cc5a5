package bench

import (
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// BenchmarkStockChangesEndToEnd measures stock changes processed end to
// end: b.N signed inventory_levels/update webhooks spread over 1,000
// variants are posted by the load generator while the receipts' drainer
// and the queue's workers process them; the clock stops when every receipt is processed (stock
// stored) and every restock decision it caused has run (no job left to
// do). No one is queued for these variants, as for most of a shop's, so
// the store knows each decision (nothing to do) in the change's own
// transaction and queues no job (BenchmarkStockChangesEndToEndAwaited is
// the other case). changes/s is b.N over that time.
//
//	go test ./bench -run '^$' -bench StockChangesEndToEnd -benchtime 5000x -count 5
func BenchmarkStockChangesEndToEnd(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) { stockChangesEndToEnd(b, dialect, false) })
	}
}

// BenchmarkStockChangesEndToEndAwaited is BenchmarkStockChangesEndToEnd
// with a shopper queued for each of the 1,000 variants and the shop's flow
// in draft: every applied change wakes the restock engine through a
// variant_stock_changed job, and each one that leaves the variant in
// stock records the engine's decision (a skip: the flow is a draft, so no
// one is notified and the queue stays as it was for the next change).
//
//	go test ./bench -run '^$' -bench StockChangesEndToEndAwaited -benchtime 5000x -count 5
func BenchmarkStockChangesEndToEndAwaited(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) { stockChangesEndToEnd(b, dialect, true) })
	}
}

func stockChangesEndToEnd(b *testing.B, dialect store.Dialect, awaited bool) {
	b.StopTimer()
	db, url, _ := webhookServer(b, dialect, true)
	if awaited {
		awaitEveryVariant(b, db)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadWorkers}}
	defer client.CloseIdleConnections()
	start := time.Now()
	b.StartTimer()
	result := Load(client, loadWorkers, b.N, func(i int) *http.Request { return signedWebhook(url, i) })
	if result.Errors > 0 {
		b.Fatalf("%d of %d webhooks refused", result.Errors, b.N)
	}
	waitDrained(b, db, b.N)
	b.StopTimer()
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "changes/s")
	b.ReportMetric(result.PerSecond(), "accepted/s")
	if awaited {
		b.ReportMetric(float64(count(b, db, `SELECT COUNT(*) FROM events WHERE kind = 'skipped'`))/elapsed.Seconds(), "decisions-recorded/s")
		if n := count(b, db, `SELECT COUNT(*) FROM restock_batches`); n > 0 {
			b.Fatalf("%d restock batches started with the flow in draft", n)
		}
	}
}

// awaitEveryVariant puts the shop's flow in draft and queues one shopper
// for each variant of the benchmark's catalog.
func awaitEveryVariant(b *testing.B, db *store.DB) {
	var shopID int64
	must(b, db.DB.GetContext(ctx, &shopID, `SELECT id FROM shops`))
	flow := stockbell.DefaultFlow(shopID)
	flow.Status = stockbell.FlowDraft
	must(b, db.UpdateFlow(ctx, flow))
	var variants []int64
	must(b, db.DB.SelectContext(ctx, &variants, `SELECT id FROM variants ORDER BY id`))
	for i, id := range variants {
		storetest.BulkSubscribe(b, db, shopID, id, i, 1, time.Now().UTC().Add(-time.Hour))
	}
}

// waitDrained waits until n receipts are processed and no job is left to
// run or retry.
func waitDrained(b *testing.B, db *store.DB, n int) {
	waitFor(b, 10*time.Minute, "processing", func() bool {
		return count(b, db, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NOT NULL`) >= n &&
			count(b, db, `SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending')`) == 0
	})
	if failed := count(b, db, `SELECT COUNT(*) FROM river_job WHERE state = 'discarded' OR attempt > 1`); failed > 0 {
		b.Fatalf("%d jobs failed", failed)
	}
}
