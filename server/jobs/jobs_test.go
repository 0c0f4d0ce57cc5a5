package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// probeJob records that it ran.
type probeJob struct {
	Name string `json:"name"`
}

func (probeJob) Kind() string { return "probe" }

// TestInsertTx checks the transactional promise: a job inserted in a
// transaction that rolls back never runs, one that commits runs.
func TestInsertTx(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()

		var mu sync.Mutex
		ran := map[string]int{}
		done := make(chan string, 10)
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job probeJob) error {
			mu.Lock()
			ran[job.Name]++
			mu.Unlock()
			done <- job.Name
			return nil
		}, 0)
		queue, err := jobs.New(ctx, jobs.Config{Database: jobsDatabase(t, db), Workers: workers})
		if err != nil {
			t.Fatal(err)
		}

		insertIn := func(name string, commit bool) {
			tx, err := db.DB.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := queue.InsertTx(ctx, tx, probeJob{Name: name}, nil); err != nil {
				t.Fatal(err)
			}
			if commit {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		insertIn("rolled-back", false)
		insertIn("committed", true)

		if err := queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer queue.Stop(context.Background())

		select {
		case name := <-done:
			if name != "committed" {
				t.Fatalf("first job to run was %q, want committed", name)
			}
		case <-ctx.Done():
			t.Fatal("the committed job never ran")
		}
		// Give a wrongly kept job the chance to run before checking it did not.
		insertIn("sentinel", true)
		<-done
		mu.Lock()
		defer mu.Unlock()
		if ran["rolled-back"] != 0 {
			t.Errorf("job from a rolled-back transaction ran %d times", ran["rolled-back"])
		}
		if ran["committed"] != 1 {
			t.Errorf("committed job ran %d times, want 1", ran["committed"])
		}
		var count int
		if err := db.DB.GetContext(ctx, &count, `SELECT COUNT(*) FROM river_job WHERE kind = 'probe'`); err != nil {
			t.Fatal(err)
		}
		if count != 2 {
			t.Errorf("river_job holds %d probe jobs, want 2 (committed and sentinel)", count)
		}
	})
}

// jobsDatabase returns the queue's view of a test database. On PostgreSQL
// the listener is left out: the tests wait for the poll.
func jobsDatabase(t *testing.T, db *store.DB) jobs.Database {
	t.Helper()
	return jobs.Database{DB: db.DB.DB, Postgres: db.Dialect == store.Postgres}
}
