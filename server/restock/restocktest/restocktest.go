// Package restocktest works the restock engine's queued jobs in tests
// that drive a platform's stock into a real store and want to know what
// the engine then did with it.
package restocktest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/store"
)

// queuedJob is a restock job River holds available.
type queuedJob struct {
	ID   int64  `db:"id"`
	Kind string `db:"kind"`
	Args string `db:"args"`
}

// Run works the engine's jobs the store queued (stock changes and
// batches), as the server's workers would, until none is left; it fails
// the test when a job fails or jobs keep coming.
func Run(tb testing.TB, db *store.DB) {
	tb.Helper()
	engine := &restock.Engine{Store: db, Clock: db.Clock}
	for range 100 {
		jobs := available(tb, db)
		if len(jobs) == 0 {
			return
		}
		for _, j := range jobs {
			if err := work(engine, j); err != nil {
				tb.Fatalf("%s job: %v", j.Kind, err)
			}
			if _, err := db.DB.Exec(db.DB.Rebind(`UPDATE river_job SET state = 'completed', finalized_at = ? WHERE id = ?`), time.Now().UTC(), j.ID); err != nil {
				tb.Fatal(err)
			}
		}
	}
	tb.Fatal("restock jobs keep coming")
}

// available lists the restock jobs waiting to run, oldest first.
func available(tb testing.TB, db *store.DB) []queuedJob {
	tb.Helper()
	args := "json(args)"
	if db.Dialect == store.Postgres {
		args = "args::text"
	}
	var jobs []queuedJob
	if err := db.DB.Select(&jobs, `SELECT id, kind, `+args+` AS args FROM river_job
		WHERE state = 'available' AND kind IN ('variant_stock_changed', 'restock_batch') ORDER BY id`); err != nil {
		tb.Fatal(err)
	}
	return jobs
}

// work runs one job with the engine's handler for its kind.
func work(engine *restock.Engine, j queuedJob) error {
	ctx := context.Background()
	if j.Kind == (stockbell.VariantStockChangedJob{}).Kind() {
		var a stockbell.VariantStockChangedJob
		if err := json.Unmarshal([]byte(j.Args), &a); err != nil {
			return err
		}
		return engine.HandleStockChanged(ctx, a)
	}
	var a stockbell.RestockBatchJob
	if err := json.Unmarshal([]byte(j.Args), &a); err != nil {
		return err
	}
	return engine.HandleBatch(ctx, a)
}

// WantSkippedBelowMinimum fails the test unless the variant's latest
// restock decision skipped it as below the minimum inventory at this
// stock.
func WantSkippedBelowMinimum(tb testing.TB, db *store.DB, variantID int64, stock int) {
	tb.Helper()
	var details []string
	if err := db.DB.Select(&details, db.DB.Rebind(`SELECT detail FROM events WHERE variant_id = ? AND kind = ? ORDER BY id DESC`),
		variantID, stockbell.EventSkipped); err != nil {
		tb.Fatal(err)
	}
	var last struct {
		Reason stockbell.SkipReason `json:"reason"`
		Stock  int                  `json:"stock"`
	}
	if len(details) > 0 {
		if err := json.Unmarshal([]byte(details[0]), &last); err != nil {
			tb.Fatal(err)
		}
	}
	if last.Reason != stockbell.SkipBelowMinimum || last.Stock != stock {
		tb.Fatalf("variant %d's latest skip = %+v (of %d skips), want below the minimum at stock %d", variantID, last, len(details), stock)
	}
}

// WantNotified fails the test unless n of the variant's subscribers were
// notified.
func WantNotified(tb testing.TB, db *store.DB, variantID int64, n int) {
	tb.Helper()
	var got int
	if err := db.DB.Get(&got, db.DB.Rebind(`SELECT COUNT(*) FROM subscriptions WHERE variant_id = ? AND status = 'notified'`), variantID); err != nil {
		tb.Fatal(err)
	}
	if got != n {
		tb.Fatalf("%d of variant %d's subscribers notified, want %d", got, variantID, n)
	}
}
