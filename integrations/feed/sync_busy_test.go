package feed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestQueuedSyncFindingTheLeaseHeldRunsAfterIt runs the sync job on the
// real queue: a sync queued while another (the command line's) holds the
// feed's lease does not read the feed meanwhile, and reads it once the
// holder is done, so a change pushed to the feed after the holder read it
// is not left to the next interval.
func TestQueuedSyncFindingTheLeaseHeldRunsAfterIt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		// Each dialect waits seconds for the queue at its shipped settings,
		// on a database, queue and feed host of its own.
		t.Parallel()
		e := newEnv(t, db)
		items := feedtest.Items(3, 0)
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", items)})
		shop := e.connect("/f.json", nil)
		e.sync(shop)
		_, err := db.DB.Exec(`DELETE FROM river_job`) // the sync queued by connecting
		must(t, err)

		const holder = "cli:4242:feed-sync"
		ok, err := db.AcquireFeedLease(ctx, shop.ID, holder, time.Now().Add(feed.DefaultLeaseTTL))
		if err != nil || !ok {
			t.Fatalf("taking the lease: %v %v", ok, err)
		}
		items[1].InventoryQuantity = 6
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", items), ModifiedAt: time.Now().Add(time.Minute)})
		hits := e.host.Hits("/f.json")
		startSyncWorker(t, db, e.in)
		must(t, e.in.QueueSync(ctx, shop.ID))
		untilSyncJobTried(t, db)
		if e.host.Hits("/f.json") != hits || e.variant(shop, "SKU-000001").Stock != 0 {
			t.Fatal("the queued sync read the feed while another sync held its lease")
		}

		must(t, db.ReleaseFeedLease(ctx, shop.ID, holder))
		deadline := time.Now().Add(40 * time.Second)
		for e.variant(shop, "SKU-000001").Stock != 6 {
			if time.Now().After(deadline) {
				t.Fatal("the queued sync did not run once the lease was released")
			}
			time.Sleep(100 * time.Millisecond)
		}
		var attempt int
		must(t, db.DB.Get(&attempt, `SELECT attempt FROM river_job WHERE kind = 'feed_sync'`))
		if attempt != 1 {
			t.Errorf("the sync that waited is on attempt %d, want 1 (waiting is no failed attempt)", attempt)
		}
	})
}

// startSyncWorker starts a working queue on the database running the feed
// syncs, stopped when the test ends.
func startSyncWorker(t *testing.T, db *store.DB, in *feed.Integration) {
	t.Helper()
	workers := jobs.NewWorkers()
	jobs.Handle(workers, in.HandleSync, 30*time.Minute)
	queue, err := jobs.New(ctx, jobs.Config{Database: jobs.Database{DB: db.DB.DB, Postgres: db.Dialect == store.Postgres}, Workers: workers})
	must(t, err)
	must(t, queue.Start(ctx))
	t.Cleanup(func() { queue.Stop(context.Background()) })
}

// untilSyncJobTried waits (at most 30 s) until the queued sync job has run
// once and is no longer running.
func untilSyncJobTried(t *testing.T, db *store.DB) {
	t.Helper()
	kind := stockbell.FeedSyncJob{}.Kind()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var n int
		err := db.DB.Get(&n, db.DB.Rebind(`SELECT COUNT(*) FROM river_job WHERE kind = ? AND attempted_at IS NOT NULL AND state <> 'running'`), kind)
		if err == nil && n == 1 {
			return
		}
	}
	t.Fatal("the queued sync job never ran")
}

// TestQueuedSyncWaitsForTheLeaseBoundedly: a sync job that has been put
// off for BusyWaitLimit waiting for a lease still held gives up, leaving
// the feed to its next scheduled sync; before that it asks to be run
// again BusyRetry later.
func TestQueuedSyncWaitsForTheLeaseBoundedly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(1, 0))})
		shop := e.connect("/f.json", nil)
		if ok, err := db.AcquireFeedLease(ctx, shop.ID, "stuck", time.Now().Add(feed.DefaultLeaseTTL)); err != nil || !ok {
			t.Fatalf("taking the lease: %v %v", ok, err)
		}
		job := stockbell.FeedSyncJob{ShopID: shop.ID}
		tries := int(feed.BusyWaitLimit / feed.BusyRetry)
		var later *stockbell.RetryLaterError
		err := e.in.HandleSync(stockbell.WithJobPostponements(ctx, tries-1), job)
		if !errors.As(err, &later) || time.Until(later.At) > feed.BusyRetry || time.Until(later.At) < feed.BusyRetry-5*time.Second {
			t.Fatalf("a sync put off %d times: %v, want to try again in %s", tries-1, err, feed.BusyRetry)
		}
		must(t, e.in.HandleSync(stockbell.WithJobPostponements(ctx, tries), job))
		if e.host.Hits("/f.json") != 0 {
			t.Fatal("a sync read the feed while another held its lease")
		}
	})
}
