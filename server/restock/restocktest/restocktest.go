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
