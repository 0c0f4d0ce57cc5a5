package bench

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// FullEnv set to 1 runs the benchmarks at the sizes of the published
// figures (100,000 queued subscribers for the fan-out, 200,000 for mail);
// without it they run at a tenth of that, quickly.
const FullEnv = "STOCKBELL_BENCH_FULL"

// scaled is n at full size, n/10 otherwise.
func scaled(n int) int {
	if os.Getenv(FullEnv) == "1" {
		return n
	}
	return n / 10
}

// BenchmarkRestockFanout: subscribers queued on one variant, stock set to
// 1,000,000: from the stock change to every send_message job enqueued, the
// engine's handlers run one after another (the decision, then each chunk
// claim of restock.DefaultChunkSize subscribers: their message rows,
// events and jobs). Beside it, in the same run, the baseline: the same
// number of send_message jobs inserted with River's InsertMany alone in
// transactions of the same size, nothing else read or written.
// cpu-us/subscriber is the process's CPU time per subscriber and, on
// PostgreSQL, pg-cpu-us/subscriber the database's (bare-…/job for the
// baseline's).
//
//	STOCKBELL_BENCH_FULL=1 go test ./bench -run '^$' -bench RestockFanout -benchtime 1x -count 5 -timeout 60m
func BenchmarkRestockFanout(b *testing.B) {
	subscribers := scaled(100_000)
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			var bare, fanout mailRun
			for range b.N {
				bare.add(riverInsertMany(b, dialect, subscribers))
				fanout.add(restockFanout(b, dialect, subscribers))
			}
			n := float64(subscribers * b.N)
			rate, bareRate := n/fanout.elapsed.Seconds(), n/bare.elapsed.Seconds()
			b.ReportMetric(rate, "subscribers/s")
			b.ReportMetric(bareRate, "bare-jobs/s")
			b.ReportMetric(rate/bareRate, "x-bare")
			b.ReportMetric(float64(fanout.cpu.Microseconds())/n, "cpu-us/subscriber")
			b.ReportMetric(float64(bare.cpu.Microseconds())/n, "bare-cpu-us/job")
			if fanout.pgCPU > 0 {
				b.ReportMetric(float64(fanout.pgCPU.Microseconds())/n, "pg-cpu-us/subscriber")
				b.ReportMetric(float64(bare.pgCPU.Microseconds())/n, "bare-pg-cpu-us/job")
			}
		})
	}
}

// restockFanout times one fan-out to n queued subscribers (its peak RSS
// is not read).
func restockFanout(b *testing.B, dialect store.Dialect, n int) mailRun {
	db, dbURL := storetest.OpenURL(b, dialect)
	shop := storetest.MustShop(b, db, stockbell.PlatformShopify, benchDomain)
	soldOut := soldOutVariant(b, db, shop.ID, "v1")
	storetest.BulkSubscribe(b, db, shop.ID, soldOut, 0, n, time.Now().UTC().Add(-time.Hour))
	engine := &restock.Engine{Store: db, Clock: stockbell.SystemClock{}}
	database := pgDatabase(dbURL)
	pgBefore, cpuBefore := databaseCPU(b, database), processCPU()
	start := time.Now()
	_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: "1", Available: 1_000_000, At: time.Now().UTC()})
	must(b, err)
	must(b, engine.HandleStockChanged(ctx, stockbell.VariantStockChangedJob{ShopID: shop.ID, VariantID: soldOut}))
	var batchID int64
	must(b, db.DB.GetContext(ctx, &batchID, `SELECT id FROM restock_batches`))
	for chunk := 1; ; chunk++ {
		res, err := db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: shop.ID, BatchID: batchID, Chunk: chunk, Limit: restock.DefaultChunkSize})
		must(b, err)
		if res.Done {
			break
		}
	}
	run := mailRun{elapsed: time.Since(start), cpu: processCPU() - cpuBefore, pgCPU: databaseCPU(b, database) - pgBefore}
	if got := count(b, db, `SELECT COUNT(*) FROM messages WHERE status = 'pending'`); got != n {
		b.Fatalf("%d messages to send, want %d", got, n)
	}
	perJob := stockbell.SendJobMessages
	if got, want := count(b, db, `SELECT COUNT(*) FROM river_job WHERE kind = 'send_message'`), (n+perJob-1)/perJob; got != want {
		b.Fatalf("%d send jobs, want %d (%d messages each)", got, want, perJob)
	}
	return run
}

// riverInsertMany times inserting n send_message jobs with River alone.
func riverInsertMany(b *testing.B, dialect store.Dialect, n int) mailRun {
	db, dbURL := storetest.OpenURL(b, dialect)
	database := pgDatabase(dbURL)
	queue := db.Queue.(interface {
		InsertManyTx(context.Context, *sql.Tx, []stockbell.JobArgs, *stockbell.JobOptions) error
	})
	pgBefore, cpuBefore := databaseCPU(b, database), processCPU()
	start := time.Now()
	for from := 0; from < n; from += restock.DefaultChunkSize {
		args := make([]stockbell.JobArgs, min(restock.DefaultChunkSize, n-from))
		for i := range args {
			args[i] = stockbell.SendMessageJob{MessageID: int64(from + i + 1)}
		}
		tx, err := db.DB.BeginTx(ctx, nil)
		must(b, err)
		must(b, queue.InsertManyTx(ctx, tx, args, nil))
		must(b, tx.Commit())
	}
	return mailRun{elapsed: time.Since(start), cpu: processCPU() - cpuBefore, pgCPU: databaseCPU(b, database) - pgBefore}
}

// soldOutVariant creates a tracked variant with nothing in stock at
// location 1 and returns its id.
func soldOutVariant(b *testing.B, db *store.DB, shopID int64, platformID string) int64 {
	_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shopID, PlatformID: "p-" + platformID, Title: "Bell " + platformID, Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: platformID, Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "1", UpdatedAt: time.Now().UTC().Add(-time.Hour)}}}}})
	must(b, err)
	v, err := db.FindVariant(ctx, shopID, platformID)
	must(b, err)
	return v.ID
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
