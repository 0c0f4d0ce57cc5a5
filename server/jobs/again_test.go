package jobs_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSyncFailingForGoodRunsTheSyncAskedFor: a sync asked for while the
// same sync runs its last attempt, which fails, still runs once, and no
// request to run again is left behind.
func TestSyncFailingForGoodRunsTheSyncAskedFor(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		started, asked := make(chan int, 4), make(chan struct{})
		runs := 0
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job stockbell.FeedSyncJob) error {
			runs++
			started <- runs
			if runs > 1 {
				return nil
			}
			<-asked
			return errors.New("the feed host answered 503")
		}, 0)
		queue := startQueue(t, db, workers)
		sync := stockbell.FeedSyncJob{ShopID: 7}
		must(t, queue.Insert(ctx, sync, &stockbell.JobOptions{UniqueByArgs: true, MaxAttempts: 1}))
		<-started
		must(t, queue.Insert(ctx, sync, &stockbell.JobOptions{UniqueByArgs: true, MaxAttempts: 1}))
		if n := countRows(t, db, `SELECT COUNT(*) FROM job_reruns`); n != 1 {
			t.Fatalf("%d requests to run again recorded, want 1", n)
		}
		close(asked)
		select {
		case <-started:
		case <-time.After(20 * time.Second):
			t.Fatal("the sync asked for during the failed last attempt never ran")
		}
		untilJobState(t, db, sync.Kind(), "completed")
		if n := countRows(t, db, `SELECT COUNT(*) FROM job_reruns`); n != 0 {
			t.Errorf("%d requests to run again left behind", n)
		}
		if errs := jobErrors(t, db, sync.Kind()); !strings.Contains(errs, "503") {
			t.Errorf("the failed attempt's error is not recorded: %s", errs)
		}
	})
}

// TestSyncFailingForGoodUnaskedLeavesNoRequest: a sync that fails for good
// without being asked again is discarded, with nothing left in job_reruns.
func TestSyncFailingForGoodUnaskedLeavesNoRequest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job stockbell.FeedSyncJob) error {
			return errors.New("the feed host answered 503")
		}, 0)
		queue := startQueue(t, db, workers)
		sync := stockbell.FeedSyncJob{ShopID: 7}
		must(t, queue.Insert(ctx, sync, &stockbell.JobOptions{UniqueByArgs: true, MaxAttempts: 1}))
		untilJobState(t, db, sync.Kind(), "discarded")
		if n := countRows(t, db, `SELECT COUNT(*) FROM job_reruns`); n != 0 {
			t.Errorf("%d requests to run again left behind", n)
		}
	})
}

// TestRerunSweepForgetsJobsThatCannotRun: the periodic sweep deletes the
// requests to run again of jobs that are finished (completed, cancelled,
// discarded) or gone, whatever path they took, and keeps those of jobs
// that will still run.
func TestRerunSweepForgetsJobsThatCannotRun(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insertOnly, err := jobs.New(ctx, jobs.Config{Database: jobsDatabase(t, db)})
		must(t, err)
		states := []string{"completed", "cancelled", "discarded", "running", "scheduled"}
		ids := map[string]int64{}
		for i, state := range states {
			must(t, insertOnly.Insert(ctx, stockbell.FeedSyncJob{ShopID: int64(i + 1)}, &stockbell.JobOptions{UniqueByArgs: true}))
			var id int64
			must(t, db.DB.GetContext(ctx, &id, `SELECT MAX(id) FROM river_job`))
			now := time.Now().UTC()
			var finalized *time.Time
			if state != "running" && state != "scheduled" {
				finalized = &now
			}
			_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE river_job SET state = ?, scheduled_at = ?, attempt = 1,
				attempted_at = ?, finalized_at = ? WHERE id = ?`), state, now.Add(time.Hour), now, finalized, id)
			must(t, err)
			ids[state] = id
		}
		ids["gone"] = ids["scheduled"] + 1000
		for _, id := range ids {
			_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO job_reruns (job_id) VALUES (?)`), id)
			must(t, err)
		}
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job probeJob) error { return nil }, 0)
		startQueue(t, db, workers) // the sweep runs when the queue starts
		deadline := time.Now().Add(30 * time.Second)
		for countRows(t, db, `SELECT COUNT(*) FROM job_reruns`) != 2 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		for state, id := range ids {
			kept := countRows(t, db, `SELECT COUNT(*) FROM job_reruns WHERE job_id = ?`, id) == 1
			if want := state == "running" || state == "scheduled"; kept != want {
				t.Errorf("the request to run a %s job again: kept %v, want %v", state, kept, want)
			}
		}
	})
}

// startQueue starts a working queue, stopped when the test ends.
func startQueue(t *testing.T, db *store.DB, workers *jobs.Workers) *jobs.Queue {
	t.Helper()
	queue, err := jobs.New(context.Background(), jobs.Config{Database: jobsDatabase(t, db), Workers: workers})
	must(t, err)
	must(t, queue.Start(context.Background()))
	t.Cleanup(func() { queue.Stop(context.Background()) })
	return queue
}

func countRows(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	must(t, db.DB.Get(&n, db.DB.Rebind(query), args...))
	return n
}

// untilJobState waits (at most 30 s) until the only job of the kind is in
// the state.
func untilJobState(t *testing.T, db *store.DB, kind, state string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := db.DB.Get(&got, db.DB.Rebind(`SELECT state FROM river_job WHERE kind = ?`), kind); err == nil && got == state {
			return
		}
	}
	t.Fatalf("the %s job is %q, want %s", kind, got, state)
}

// jobErrors returns the errors River recorded for the only job of the
// kind, as JSON text.
func jobErrors(t *testing.T, db *store.DB, kind string) string {
	t.Helper()
	query := `SELECT COALESCE(json(errors), '') FROM river_job WHERE kind = ?`
	if db.Dialect == store.Postgres {
		query = `SELECT COALESCE(array_to_json(errors)::text, '') FROM river_job WHERE kind = ?`
	}
	var errs string
	must(t, db.DB.Get(&errs, db.DB.Rebind(query), kind))
	return errs
}

// TestSyncSucceedingAsItsTimeRunsOutIsCompleted: a sync whose handler
// returns success just as its timeout ends its context is completed, not
// failed for the completion's own use of that context (on its last
// attempt it would be discarded although it synced).
func TestSyncSucceedingAsItsTimeRunsOutIsCompleted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job stockbell.FeedSyncJob) error {
			<-ctx.Done() // the sync's last write returned as the time ran out
			return nil
		}, 300*time.Millisecond)
		queue := startQueue(t, db, workers)
		sync := stockbell.FeedSyncJob{ShopID: 7}
		must(t, queue.Insert(ctx, sync, &stockbell.JobOptions{UniqueByArgs: true, MaxAttempts: 1}))
		untilJobState(t, db, sync.Kind(), "completed")
	})
}

// TestSyncsEndingHoldNoConnection: completing a sync, running it again
// and failing it for good each end their transaction with the database
// connection it used returned (on SQLite, River sets a connection apart
// for it), so more syncs than the pool has connections all finish, and
// nothing is left in use.
func TestSyncsEndingHoldNoConnection(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job stockbell.FeedSyncJob) error {
			if job.ShopID%2 == 0 {
				return errors.New("the feed host answered 503")
			}
			return nil
		}, 0)
		queue := startQueue(t, db, workers)
		const syncs = 12 // three times the SQLite pool's connections
		for shop := int64(1); shop <= syncs; shop++ {
			must(t, queue.Insert(ctx, stockbell.FeedSyncJob{ShopID: shop}, &stockbell.JobOptions{UniqueByArgs: true, MaxAttempts: 1}))
		}
		query := db.DB.Rebind(`SELECT COUNT(*) FROM river_job WHERE kind = ? AND state IN ('completed', 'discarded')`)
		finished := func() (n int, err error) {
			// Bounded: with every connection held, the pool never gives one.
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			return n, db.DB.GetContext(ctx, &n, query, "feed_sync")
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			n, err := finished()
			if err != nil {
				t.Fatalf("no connection to count the finished syncs (%d in use): %v", db.DB.Stats().InUse, err)
			} else if n == syncs {
				return
			} else if time.Now().After(deadline) {
				t.Fatalf("%d of %d syncs finished; connections in use: %d", n, syncs, db.DB.Stats().InUse)
			}
		}
	})
}

// TestRunAgainIsNoPostponement: a sync run again because it was asked for
// while it ran is not put off (stockbell.JobPostponements counts only the
// waits its handler asked for with RetryLaterError), so a sync waiting
// for a lease is not cut short by the runs again before it.
func TestRunAgainIsNoPostponement(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		started, asked := make(chan int, 4), make(chan struct{})
		var postponed []int
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job stockbell.FeedSyncJob) error {
			postponed = append(postponed, stockbell.JobPostponements(ctx))
			started <- len(postponed)
			switch len(postponed) {
			case 1:
				<-asked
			case 2:
				return &stockbell.RetryLaterError{At: time.Now(), Reason: "another sync holds the lease"}
			}
			return nil
		}, 0)
		queue := startQueue(t, db, workers)
		sync := stockbell.FeedSyncJob{ShopID: 7}
		must(t, queue.Insert(ctx, sync, &stockbell.JobOptions{UniqueByArgs: true}))
		<-started
		must(t, queue.Insert(ctx, sync, &stockbell.JobOptions{UniqueByArgs: true}))
		close(asked)
		for range 2 {
			select {
			case <-started:
			case <-time.After(20 * time.Second):
				t.Fatalf("the sync ran %d times, want 3: once, again as asked, and after its wait", len(started))
			}
		}
		untilJobState(t, db, sync.Kind(), "completed")
		if want := []int{0, 0, 1}; !slices.Equal(postponed, want) {
			t.Fatalf("the runs saw the job put off %v times, want %v: only the RetryLaterError postpones it", postponed, want)
		}
	})
}
