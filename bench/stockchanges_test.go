package bench

import (
	"net/http"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// BenchmarkStockChangesEndToEnd measures stock changes processed end to
// end: b.N signed inventory_levels/update webhooks spread over 1,000
// variants are posted by the load generator while the receipts' drainer
// and the queue's workers process them; the clock stops when every receipt is processed (stock
// stored) and every restock decision it caused has run (no job left to
// do). changes/s is b.N over that time.
//
//	go test ./bench -run '^$' -bench StockChangesEndToEnd -benchtime 5000x -count 5
func BenchmarkStockChangesEndToEnd(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			b.StopTimer()
			db, url, _ := webhookServer(b, dialect, true)
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
		})
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
