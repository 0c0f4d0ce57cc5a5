package restock_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// tableSender is the development sender plus a row per call in dev_sends,
// so that several processes can count what was sent.
type tableSender struct {
	db     *sqlx.DB
	worker string
	dev    delivery.DevSender
}

const devSendsTable = `CREATE TABLE dev_sends (message_id BIGINT NOT NULL, recipient TEXT NOT NULL, worker TEXT NOT NULL)`

func (s *tableSender) Send(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error) {
	res, err := s.dev.Send(ctx, msg)
	if err != nil {
		return res, err
	}
	_, err = s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO dev_sends (message_id, recipient, worker) VALUES (?, ?, ?)`), msg.MessageID, msg.To, s.worker)
	return res, err
}

// startWorkers runs the restock handlers on a real River client over db,
// registered as server/wire.go registers them, with the queue's one set of
// settings.
func startWorkers(t testing.TB, db *store.DB, name string, chunkSize int) *jobs.Queue {
	t.Helper()
	clock := stockbell.SystemClock{}
	quiet := slog.New(slog.DiscardHandler)
	engine := &restock.Engine{Store: db, Clock: clock, ChunkSize: chunkSize}
	msgr := &restock.Messenger{Store: db, Renderer: plainRenderer{}, Clock: clock,
		Sender: &tableSender{db: db.DB, worker: name, dev: delivery.DevSender{Logger: quiet}}}
	workers := jobs.NewWorkers()
	jobs.Handle(workers, engine.HandleStockChanged, 0)
	jobs.Handle(workers, engine.HandleWaitEnded, 0)
	jobs.Handle(workers, engine.HandleBatch, 0)
	jobs.Handle(workers, msgr.HandleSendMessage, 0)
	queue, err := jobs.New(context.Background(), jobs.Config{
		Database: jobs.Database{DB: db.DB.DB, Postgres: db.Dialect == store.Postgres},
		Workers:  workers,
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Queue = queue
	if err := queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return queue
}

// TestThroughRiver runs a restock end to end on a real River client with
// workers, on both databases: every queued subscriber is sent one message.
func TestThroughRiver(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		_, err := db.DB.ExecContext(ctx, devSendsTable)
		must(t, err)
		queue := startWorkers(t, db, "w", 10)
		defer queue.Stop(context.Background())
		h := &harness{t: t, db: db, clock: storetest.NewClock(time.Now().UTC())}
		shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "river.myshopify.com"})
		must(t, err)
		h.shop = shop
		v := h.variant("v1")
		bulkSubscribe(t, db, shop.ID, v, 45, time.Now().UTC().Add(-time.Hour))
		_, err = db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: "warehouse", Available: 3, At: h.clock.Now()})
		must(t, err)

		waitFor(t, 60*time.Second, func() bool {
			return h.count(`SELECT COUNT(*) FROM messages WHERE status = 'sent'`) == 45
		})
		if n := h.count(`SELECT COUNT(*) FROM subscriptions WHERE status = 'notified'`); n != 45 {
			t.Fatalf("%d notified, want 45", n)
		}
		if n := h.count(`SELECT COUNT(*) FROM dev_sends`); n != 45 {
			t.Fatalf("the development sender sent %d, want 45", n)
		}
		if n := h.count(`SELECT COUNT(DISTINCT recipient) FROM dev_sends`); n != 45 {
			t.Fatalf("%d distinct recipients, want 45", n)
		}
	})
}

// waitFor polls cond until it holds or the timeout passes. It waits for
// asynchronous workers, never for a business rule.
func waitFor(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// bulkSubscribe inserts n queued email subscriptions in one transaction,
// a microsecond apart from start.
func bulkSubscribe(t testing.TB, db *store.DB, shopID, variantID int64, n int, start time.Time) {
	storetest.BulkSubscribe(t, db, shopID, variantID, 0, n, start)
}
