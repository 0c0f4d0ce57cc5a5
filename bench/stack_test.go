package bench

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

var ctx = context.Background()

// benchShopify is the Shopify app the benchmarks' webhooks are signed for.
var benchShopify = stockbell.ShopifyConfig{APIKey: "bench", APISecret: benchSecret}

// catalogVariants is how many variants the webhook benchmarks spread their
// stock changes over; variant i has inventory item 1000+i.
const catalogVariants = 1000

// stockedCatalog fills the shop's catalog with catalogVariants tracked
// variants (ten per product), each stocked at location 1 an hour ago.
func stockedCatalog(b *testing.B, db *store.DB, shopID int64) {
	at := time.Now().UTC().Add(-time.Hour)
	for p := 0; p < catalogVariants/10; p++ {
		up := stockbell.ProductUpsert{ShopID: shopID, PlatformID: fmt.Sprint(p), Title: "Bell", Published: true}
		for v := p * 10; v < p*10+10; v++ {
			up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: fmt.Sprint(100000 + v), InventoryItemID: fmt.Sprint(1000 + v),
				Tracked: true, InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 1, UpdatedAt: at}}})
		}
		if _, err := db.UpsertProduct(ctx, up); err != nil {
			b.Fatal(err)
		}
	}
}

// startProcessing runs what follows a receipt on db as the server does,
// with the production settings: the receipts' drainer running the Shopify
// processor through the registry, and the queue running the restock
// engine's decisions. It stops when the
// benchmark ends.
func startProcessing(b *testing.B, db *store.DB, dbURL string) {
	logger := slog.New(slog.DiscardHandler)
	workers := jobs.NewWorkers()
	registry := integrations.NewRegistry(db, logger)
	jobs.Handle(workers, registry.ProcessReceipt, 0)
	registry.Register(stockbell.PlatformShopify, &shopify.Integration{Config: benchShopify, Shops: db, Catalog: db,
		Privacy: db, Conversions: db, Jobs: db.Queue.(stockbell.JobInserter), Clock: stockbell.SystemClock{}, Logger: logger})
	engine := &restock.Engine{Store: db, Clock: stockbell.SystemClock{}, Logger: logger}
	jobs.Handle(workers, engine.HandleStockChanged, 0)
	jobs.Handle(workers, engine.HandleWaitEnded, 0)
	jobs.Handle(workers, engine.HandleBatch, 0)
	startQueue(b, db, dbURL, workers)
	drainer := &integrations.Drainer{Registry: registry, Logger: logger}
	drainer.Start()
	b.Cleanup(func() { drainer.Stop(ctx) })
}

// startQueue starts a working job queue on db with workers.
func startQueue(b *testing.B, db *store.DB, dbURL string, workers *jobs.Workers) {
	queue, err := jobs.New(ctx, jobs.Config{Database: storetest.JobsDatabase(db.Conn, dbURL), Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	if err := queue.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		queue.Stop(stopCtx)
	})
}

// count runs a COUNT query.
func count(b *testing.B, db *store.DB, query string) int {
	var n int
	if err := db.DB.Get(&n, query); err != nil {
		b.Fatal(err)
	}
	return n
}

// waitFor polls until done reports true, failing after limit.
func waitFor(b *testing.B, limit time.Duration, what string, done func() bool) {
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			b.Fatalf("%s: not done after %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
