package restock_test

import (
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// benchDB opens a fresh database with a shop and one sold-out variant.
func benchDB(b *testing.B, dialect store.Dialect) (*harness, int64) {
	b.Helper()
	db := storetest.Open(b, dialect)
	h := &harness{t: b, db: db, clock: storetest.NewClock(time.Now().UTC())}
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "bench.myshopify.com"})
	must(b, err)
	h.shop = shop
	_, err = db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "v1", Tracked: true, Levels: []stockbell.LocationLevel{{LocationID: "warehouse", UpdatedAt: h.clock.Now().Add(-time.Hour)}}}}})
	must(b, err)
	v, err := db.FindVariant(ctx, shop.ID, "v1")
	must(b, err)
	return h, v.ID
}

func forDialects(b *testing.B, fn func(b *testing.B, dialect store.Dialect)) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) { fn(b, d) })
	}
}

// BenchmarkSendDevSender: messages per second through the Messenger and the
// development sender, ten at a time as one process's queue runs them.
func BenchmarkSendDevSender(b *testing.B) {
	forDialects(b, func(b *testing.B, dialect store.Dialect) {
		h, v := benchDB(b, dialect)
		bulkSubscribe(b, h.db, h.shop.ID, v, b.N, time.Now().UTC().Add(-time.Hour))
		var ids []int64
		h.stockDirect(b, v)
		var batchID int64
		must(b, h.db.DB.GetContext(ctx, &batchID, `SELECT id FROM restock_batches`))
		for chunk := 1; ; chunk++ {
			res, err := h.db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: h.shop.ID, BatchID: batchID, Chunk: chunk, Limit: restock.DefaultChunkSize})
			must(b, err)
			if res.Done {
				break
			}
		}
		must(b, h.db.DB.SelectContext(ctx, &ids, `SELECT id FROM messages ORDER BY id`))
		sender := &recordingSender{}
		msgr := &restock.Messenger{Store: h.db, Renderer: plainRenderer{}, Sender: sender, Clock: stockbell.SystemClock{}}
		sender.dev.Logger = slog.New(slog.DiscardHandler)
		work := make(chan int64)
		var wg sync.WaitGroup
		b.ResetTimer()
		for range 10 {
			wg.Go(func() {
				for id := range work {
					must(b, msgr.HandleSendMessage(ctx, stockbell.SendMessageJob{MessageID: id}))
				}
			})
		}
		for _, id := range ids {
			work <- id
		}
		close(work)
		wg.Wait()
		b.StopTimer()
		if got := len(sender.recipients()); got != len(ids) {
			b.Fatalf("sent %d of %d", got, len(ids))
		}
		b.ReportMetric(float64(len(ids))/b.Elapsed().Seconds(), "messages/s")
	})
}

// stockDirect marks the variant in stock without a job, for setups that
// start the batch themselves.
func (h *harness) stockDirect(b *testing.B, variantID int64) {
	_, err := h.db.DB.ExecContext(ctx, h.db.DB.Rebind(`UPDATE variants SET stock = 1000000 WHERE id = ?`), variantID)
	must(b, err)
	must(b, (&restock.Engine{Store: h.db, Clock: stockbell.SystemClock{}}).HandleStockChanged(ctx, stockbell.VariantStockChangedJob{VariantID: variantID}))
}

// BenchmarkClaimBatch claims a 100-subscriber batch from queues of 1,000
// and 100,000: the cost follows the batch, not the queue.
func BenchmarkClaimBatch(b *testing.B) {
	forDialects(b, func(b *testing.B, dialect store.Dialect) {
		for _, queued := range []int{1_000, 100_000} {
			b.Run(fmt.Sprintf("queued=%d", queued), func(b *testing.B) {
				h, v := benchDB(b, dialect)
				bulkSubscribe(b, h.db, h.shop.ID, v, queued, time.Now().UTC().Add(-time.Hour))
				for b.Loop() {
					b.StopTimer()
					batch, err := h.db.StartBatch(ctx, stockbell.BatchStart{ShopID: h.shop.ID, VariantID: v, Size: 100, Stock: 100, PerUnit: 1, Cutoff: time.Now().UTC()})
					must(b, err)
					b.StartTimer()
					res, err := h.db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: 1, Limit: 100})
					must(b, err)
					b.StopTimer()
					if res.Claimed != 100 {
						b.Fatalf("claimed %d", res.Claimed)
					}
					h.resetClaims(b)
					b.StartTimer()
				}
			})
		}
	})
}

// resetClaims puts claimed subscribers back in the queue and drops what
// their claim created.
func (h *harness) resetClaims(b *testing.B) {
	for _, q := range []string{`DELETE FROM messages`, `DELETE FROM events`, `DELETE FROM river_job`, `DELETE FROM restock_batches`,
		`UPDATE subscriptions SET status = 'queued', notified_at = NULL WHERE status = 'notified'`} {
		_, err := h.db.DB.ExecContext(ctx, q)
		must(b, err)
	}
}
