package demo_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSeedOnceThenSimulateStock seeds the demo shop (once), records a
// simulated restock as a receipt and applies it as the receipt job would.
func TestSeedOnceThenSimulateStock(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shop, created, err := demo.Seed(ctx, db, db, "http://localhost:8080")
		if err != nil || !created || shop.Platform != stockbell.PlatformDemo {
			t.Fatalf("seed: %+v %v %v", shop, created, err)
		}
		variants, _, err := db.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shop.ID})
		if err != nil {
			t.Fatal(err)
		}
		soldOut := 0
		for _, v := range variants {
			if v.SoldOut() {
				soldOut++
			}
		}
		if len(variants) != 6 || soldOut != 1 {
			t.Fatalf("%d variants, %d sold out; want a few products with one variant sold out", len(variants), soldOut)
		}
		m, err := db.FindVariant(ctx, shop.ID, "sweater-m")
		if err != nil || m.URL != "http://localhost:8080/demo?variant=sweater-m" {
			t.Fatalf("sweater M: %+v %v", m, err)
		}
		if _, created, err := demo.Seed(ctx, db, db, "http://localhost:8080"); err != nil || created {
			t.Fatalf("second seed created %v (%v), want the existing shop", created, err)
		}

		sim := &demo.Simulator{Receipts: db, Clock: stockbell.SystemClock{}}
		other := storetest.MustShop(t, db, stockbell.PlatformFeed, "feed.example")
		if _, err := sim.SimulateStock(ctx, other, m, 5); stockbell.ErrorCode(err) != stockbell.EINVALID {
			t.Fatalf("simulating another shop's stock: %v", err)
		}
		if applied, err := sim.SimulateStock(ctx, shop, m, 5); err != nil || applied {
			t.Fatalf("simulating with no wait and nothing processing receipts: applied %v (%v), want not applied", applied, err)
		}
		var receiptID int64
		if err := db.DB.GetContext(ctx, &receiptID, `SELECT id FROM webhook_receipts WHERE platform = 'demo'`); err != nil {
			t.Fatalf("no demo receipt: %v", err)
		}
		receipt, err := db.FindReceipt(ctx, receiptID)
		if err != nil {
			t.Fatal(err)
		}
		p := &demo.Processor{Catalog: db, Logger: slog.New(slog.DiscardHandler)}
		if err := p.ProcessReceipt(ctx, receipt); err != nil {
			t.Fatal(err)
		}
		after, _ := db.FindVariant(ctx, shop.ID, "sweater-m")
		if after.Stock != 5 || after.SoldOut() {
			t.Fatalf("sweater M after the restock: stock %d", after.Stock)
		}
		// Selling out takes the same path.
		if _, err := sim.SimulateStock(ctx, shop, after, 0); err != nil {
			t.Fatal(err)
		}
		if err := db.DB.GetContext(ctx, &receiptID, `SELECT MAX(id) FROM webhook_receipts WHERE platform = 'demo'`); err != nil {
			t.Fatal(err)
		}
		if receipt, err = db.FindReceipt(ctx, receiptID); err != nil {
			t.Fatal(err)
		}
		if err := p.ProcessReceipt(ctx, receipt); err != nil {
			t.Fatal(err)
		}
		if after, _ = db.FindVariant(ctx, shop.ID, "sweater-m"); !after.SoldOut() {
			t.Fatalf("sweater M after selling out: stock %d", after.Stock)
		}
	})
}

// TestSimulateStockWaitsForItsChange: with the wait the server is wired
// with, SimulateStock returns once the receipt job has applied the change,
// saying so, with the new stock stored; with nothing applying it, it says
// it is not applied after the wait.
func TestSimulateStockWaitsForItsChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shop, _, err := demo.Seed(ctx, db, db, "http://localhost:8080")
		if err != nil {
			t.Fatal(err)
		}
		m, err := db.FindVariant(ctx, shop.ID, "sweater-m")
		if err != nil {
			t.Fatal(err)
		}
		sim := &demo.Simulator{Receipts: db, Clock: stockbell.SystemClock{}, Wait: demo.ApplyWait}
		done := make(chan error, 1)
		go func() { done <- applyNextReceipt(ctx, db) }()
		applied, err := sim.SimulateStock(ctx, shop, m, 5)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err != nil || !applied {
			t.Fatalf("restock applied during the wait: SimulateStock says applied %v (%v)", applied, err)
		}
		if after, _ := db.FindVariant(ctx, shop.ID, "sweater-m"); after.Stock != 5 {
			t.Fatalf("sweater M once SimulateStock said applied: stock %d", after.Stock)
		}
		if applied, err := sim.SimulateStock(ctx, shop, m, 0); err != nil || applied {
			t.Fatalf("sell-out nobody applies: SimulateStock says applied %v (%v)", applied, err)
		}
	})
}

// applyNextReceipt does what the receipt drainer does with the next demo
// receipt recorded: claims it, applies it and marks it processed.
func applyNextReceipt(ctx context.Context, db *store.DB) error {
	p := &demo.Processor{Catalog: db, Logger: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		claimed, err := db.ClaimReceipts(ctx, 1, time.Minute)
		if err != nil || len(claimed) == 0 {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		if err := p.ProcessReceipt(ctx, claimed[0]); err != nil {
			return err
		}
		return db.MarkReceiptsProcessed(ctx, []int64{claimed[0].ID})
	}
	return ctx.Err()
}

// TestSyncLogExamples: a new demo shop's sync log shows a failure, a sync
// and a rejected item, and no failure still going on.
func TestSyncLogExamples(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shop, _, err := demo.Seed(ctx, db, db, "http://localhost:8080")
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.RecordSyncLogExamples(ctx, db, shop.ID, db.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []stockbell.EventKind
		for _, e := range log {
			kinds = append(kinds, e.Kind)
		}
		want := []stockbell.EventKind{stockbell.EventSyncFinished, stockbell.EventSyncItemRejected, stockbell.EventSyncFailed}
		if fmt.Sprint(kinds) != fmt.Sprint(want) {
			t.Fatalf("demo sync log = %v, want %v", kinds, want)
		}
		if failing, err := db.FindFailingSyncs(ctx, shop.ID); err != nil || len(failing) != 0 {
			t.Fatalf("failing syncs = %v (%v), want none: the demo shows no banner", failing, err)
		}
	})
}

// TestSeedStatesTheDemoCurrency: the demo shop's prices are in
// demo.Currency, stored on the shop as a platform's shop stores its own,
// and a demo shop seeded before shops had a currency is given it.
func TestSeedStatesTheDemoCurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		older, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformDemo, Domain: demo.Domain, Name: demo.Name})
		if err != nil || older.Currency != "" {
			t.Fatalf("an older demo shop: %+v, %v", older, err)
		}
		shop, _, err := demo.Seed(ctx, db, db, "http://localhost:8080")
		if err != nil || shop.Currency != demo.Currency {
			t.Fatalf("seeded shop: %+v, %v; want currency %s", shop, err, demo.Currency)
		}
		stored, err := db.FindShopByID(ctx, shop.ID)
		if err != nil || stored.Currency != demo.Currency {
			t.Fatalf("stored shop: %+v, %v; want currency %s", stored, err, demo.Currency)
		}
	})
}
