package jobs_test

import (
	"context"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestNoRerunLeavesTheRunningSyncAlone: a sync inserted with NoRerun while
// the same sync runs (a periodic sync meeting the install's) is dropped:
// it asks the running one for no second run, and that one completes once.
func TestNoRerunLeavesTheRunningSyncAlone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		started, release := make(chan struct{}, 2), make(chan struct{})
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job stockbell.BigCommerceCatalogSyncJob) error {
			started <- struct{}{}
			<-release
			return nil
		}, 0)
		queue := startQueue(t, db, workers)
		sync := stockbell.BigCommerceCatalogSyncJob{ShopID: 7}
		must(t, queue.Insert(ctx, sync, &stockbell.JobOptions{UniqueByArgs: true}))
		<-started
		must(t, queue.Insert(ctx, sync, &stockbell.JobOptions{UniqueByArgs: true, NoRerun: true}))
		if n := countRows(t, db, `SELECT COUNT(*) FROM job_reruns`); n != 0 {
			t.Errorf("%d requests to run again recorded, want none", n)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM river_job WHERE kind = ?`, sync.Kind()); n != 1 {
			t.Errorf("%d jobs of the sync, want the running one alone", n)
		}
		close(release)
		untilJobState(t, db, sync.Kind(), "completed")
	})
}
